// The reference feed keeps importing when the recreation guard answers 429 (a check is paid
// by its size from the key's rate limit): it waits as Retry-After says and asks again with the
// same batch, and stops only once its waiting allowance is spent.
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { importRoster, type RosterPerson } from '../../../connectors/case-management/roster-import.js';

const person: RosterPerson = { ref: 'row-1', givenName: 'Ada', familyName: 'Moss', email: 'ada.moss@example.org', employer: 'Acme' };
const erased = { people: [{ ref: 'row-1', tombstoned: true, results: [{ tombstoned: true, requestId: 'req-1' }] }] };
const limited = (seconds: string) => new Response(JSON.stringify({ error: { code: 'RATE_LIMITED' } }), { status: 429, headers: { 'retry-after': seconds } });

describe('roster import and the guard rate limit (R10)', () => {
  it('waits as Retry-After says and asks again with the same batch', async () => {
    const replies = [limited('7'), limited('3'), new Response(JSON.stringify(erased), { status: 200 })];
    const bodies: string[] = [];
    const slept: number[] = [];
    const report = await importRoster([person], {
      pool: {} as pg.Pool,
      gatewayUrl: 'http://gateway.invalid',
      apiKey: 'k',
      fetch: (async (_url: string, init: RequestInit) => {
        bodies.push(String(init.body));
        return replies.shift()!;
      }) as typeof fetch,
      sleep: async (ms) => void slept.push(ms),
    });
    expect(slept).toEqual([7000, 3000]);
    expect(new Set(bodies).size).toBe(1);
    expect(report).toEqual({ created: [], skipped: [{ ref: 'row-1', requestIds: ['req-1'] }] });
  });

  it('stops, creating no one, once waiting would pass its allowance', async () => {
    const slept: number[] = [];
    await expect(
      importRoster([person], {
        pool: {} as pg.Pool,
        gatewayUrl: 'http://gateway.invalid',
        apiKey: 'k',
        maxRateLimitWaitMs: 10_000,
        fetch: (async () => limited('6')) as typeof fetch,
        sleep: async (ms) => void slept.push(ms),
      }),
    ).rejects.toThrow('recreation guard answered 429; roster import stopped');
    expect(slept).toEqual([6000]);
  });
});
