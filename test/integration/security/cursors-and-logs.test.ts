import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/logging/logger.js';
import { bearer, startTestGateway, type TestGateway } from '../../support/runtime.js';
import { graphqlCodeOf } from '../../support/error-codes.js';

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

describe('connection cursors and what a failed statement leaves in the log', () => {
  let gw: TestGateway;
  const lines: string[] = [];
  const log = () => lines.join('');
  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    gw = await startTestGateway({ worker: false, logger: createLogger('info', sink) });
  }, 60_000);
  afterAll(async () => gw?.stop());

  const forged = [
    b64('2024-01-01T00:00:00.000Z|jane.doe@example.org'), // not a uuid: the cast failed in SQL
    b64('2024-01-01T00:00:00.000Z|1f0c3a52-6f4e-4b8e-9d7a-3c1b2a4d5e6f|x'),
    b64('+275760-09-13T00:00:00.000Z|1f0c3a52-6f4e-4b8e-9d7a-3c1b2a4d5e6f'),
    b64('2024-01-01|1f0c3a52-6f4e-4b8e-9d7a-3c1b2a4d5e6f'),
    'not base64 at all!',
    '',
  ];

  it('a forged requests(after:) cursor is BAD_USER_INPUT, and no SQL or value reaches the log', async () => {
    const handler = await bearer(gw, ['HANDLER']);
    for (const after of forged) {
      const reply = await gw.graphql(`query($after: String) { requests(first: 5, after: $after) { nodes { id } } }`, { after }, handler);
      expect(graphqlCodeOf(reply), after).toBe(after === '' ? undefined : 'BAD_USER_INPUT');
    }
    expect(log()).not.toContain('jane.doe@example.org');
    expect(log()).not.toMatch(/INTERNAL|QueryFailedError|SELECT/);
  });

  it('a forged auditLog(after:) cursor is BAD_USER_INPUT', async () => {
    const auditor = await bearer(gw, ['AUDITOR']);
    for (const after of ['abc', '-1', '99999999999999999999', b64('2024|x')]) {
      const reply = await gw.graphql(`query($after: String) { auditLog(first: 5, after: $after) { nodes { seq } } }`, { after }, auditor);
      expect(graphqlCodeOf(reply), after).toBe('BAD_USER_INPUT');
    }
  });

  it('an internal database failure is logged without the statement parameters or the quoted value', async () => {
    const admin = await bearer(gw, ['ADMIN']);
    const services = gw.runtime.services;
    const original = services.apiKeys.list;
    // A real failed statement (QueryFailedError) with personal data as its parameter.
    services.apiKeys.list = async () => services.dataSource.query('SELECT $1::uuid AS id', ['jane.roe@example.org']);
    try {
      const reply = await gw.graphql('{ apiKeys { id } }', {}, admin);
      expect(graphqlCodeOf(reply)).toBe('INTERNAL_SERVER_ERROR');
    } finally {
      services.apiKeys.list = original;
    }
    const entry = lines.map((l) => JSON.parse(l) as { msg: string; err?: Record<string, unknown> }).find((l) => l.msg === 'internal error in GraphQL');
    expect(entry?.err?.type).toBe('QueryFailedError');
    expect(entry?.err?.query).toBe('SELECT $1::uuid AS id'); // the statement without its values stays findable
    expect(log()).not.toContain('jane.roe@example.org');
    expect(entry?.err).not.toHaveProperty('parameters');
  });
});
