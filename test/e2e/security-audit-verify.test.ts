// `npm run audit:verify` (the compiled CLI) against a gateway's real audit trail: intact,
// then after one row is edited directly in the database.
import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { compiledEntry } from '../support/processes.js';
import { bearer, startTestGateway, type TestGateway } from '../support/runtime.js';

function runVerify(databaseUrl: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [compiledEntry('src/audit/verify-cli.js')],
      { env: { PATH: process.env.PATH ?? '', DATABASE_URL: databaseUrl }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, output: stdout + stderr }),
    );
  });
}

describe('audit:verify (compiled CLI)', () => {
  let gw: TestGateway;
  let client: pg.Client;
  beforeAll(async () => {
    gw = await startTestGateway({ worker: false });
    const admin = await bearer(gw, ['ADMIN']);
    const handler = await bearer(gw, ['HANDLER']);
    // A real trail: key changes, reads of the log, refusals.
    for (let i = 0; i < 5; i++) {
      await gw.graphql(
        'mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { clearKey } }',
        { input: { name: `e2e ${i}`, roles: ['WORKER'] } },
        admin,
      );
      await gw.graphql('{ apiKeys { id } }', undefined, handler);
    }
    // A refused registration whose id holds a lone UTF-16 surrogate: its audit entry must
    // hash what PostgreSQL stores (the surrogate becomes U+FFFD), or the chain breaks here.
    const refused = await gw.graphql(
      'mutation($input: RegisterSourceInput!) { registerSource(input: $input) { id } }',
      { input: { id: 'crm-\uD800', name: 'CRM', kind: 'OTHER', type: 'sql', connection: { url: 'postgres://127.0.0.1:1/x' } } },
      admin,
    );
    expect(refused.body.errors?.length).toBeGreaterThan(0);
    client = new pg.Client({ connectionString: gw.databaseUrl });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await gw?.stop();
  });

  it('R13: exits 0 on an intact chain (with a lone-surrogate id in it), and 1 naming only the seq of a row edited in the database', async () => {
    const { rows: weird } = await client.query<{ target_id: string }>(`SELECT target_id FROM audit_log WHERE target_id LIKE 'crm-%'`);
    expect(weird.map((r) => r.target_id)).toEqual(['crm-\uFFFD']);
    const intact = await runVerify(gw.databaseUrl);
    expect(intact.output).toMatch(/audit chain OK: \d+ entries verified/);
    expect(intact.code).toBe(0);

    const { rows } = await client.query<{ seq: string }>(`SELECT seq::text AS seq FROM audit_log WHERE outcome = 'DENIED' ORDER BY seq LIMIT 1 OFFSET 2`);
    const seq = rows[0]!.seq;
    // The database itself refuses the edit...
    await expect(client.query(`UPDATE audit_log SET outcome = 'SUCCESS' WHERE seq = $1`, [seq])).rejects.toThrow();
    // ...so an attacker with superuser rights switches the triggers off first.
    await client.query('ALTER TABLE audit_log DISABLE TRIGGER ALL');
    await client.query(`UPDATE audit_log SET outcome = 'SUCCESS' WHERE seq = $1`, [seq]);
    await client.query('ALTER TABLE audit_log ENABLE TRIGGER ALL');

    const broken = await runVerify(gw.databaseUrl);
    expect(broken.code).toBe(1);
    // Only the edited entry is named: the lone-surrogate entry before or after it verifies.
    expect(broken.output).toContain(`audit chain BROKEN at seq ${seq}`);
    expect(broken.output.match(/BROKEN at seq/g)).toHaveLength(1);
  });
});
