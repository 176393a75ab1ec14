import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { compiledEntry, firstQueryOnStart, runNode } from '../support/processes.js';
import { eventually } from '../support/eventually.js';

function postgresRunningOn(dir: string): boolean {
  try {
    return (
      execFileSync('pgrep', ['-f', `postgres -D ${dir}`])
        .toString()
        .trim().length > 0
    );
  } catch {
    return false; // pgrep exits 1 when nothing matches
  }
}

// `npm start` with no configuration at all: embedded PostgreSQL, queues in PostgreSQL.
describe('npm start on the embedded default', () => {
  it('answers GraphQL with nothing configured, and Ctrl-C leaves no stray postgres', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'dsr-start-'));
    chmodSync(parent, 0o755); // as root, PostgreSQL runs as `postgres`, which must reach the folder
    const dir = join(parent, 'pg');
    const port = String(55000 + Math.floor(Math.random() * 4000));
    const gateway = runNode(compiledEntry('src/cli/start.js'), {
      EMBEDDED_PG_DIR: dir,
      EMBEDDED_PG_PORT: port,
      PORT: '0',
      DEMO_PEOPLE: '50',
    });
    try {
      // It prints a development key to try it with.
      const { data } = await firstQueryOnStart<{ health: { ready: boolean; queueBackend: string } }>(
        gateway,
        '{ version health { ready queueBackend } }',
        60_000,
      );
      expect(data.health).toEqual({ ready: true, queueBackend: 'postgres' });
      expect(gateway.output()).toContain('/graphql');
      // The console's address is printed beside it.
      expect(gateway.output()).toMatch(/Console: +http:\/\/127\.0\.0\.1:\d+\/console\//);
      expect(postgresRunningOn(dir)).toBe(true);
      // R13: the gateway connects as the runtime role; the owner role owns the audit log.
      const pgClient = new pg.Client({ connectionString: `postgres://postgres:dsr-embedded@127.0.0.1:${port}/dsr_gateway` });
      await pgClient.connect();
      try {
        const roles = await pgClient.query(`SELECT DISTINCT usename FROM pg_stat_activity WHERE application_name = 'dsr-gateway'`);
        expect(roles.rows.map((r) => r.usename)).toEqual(['dsr_runtime']);
        const owner = await pgClient.query(`SELECT tableowner FROM pg_tables WHERE tablename = 'audit_log'`);
        expect(owner.rows[0].tableowner).toBe('dsr_owner');
        // R9: the demo has footage past 90 days; the first scheduled retention run comes after
        // the demo load and, CCTV needing no approval, leaves none of it to discover.
        const expired = `SELECT (SELECT count(*)::int FROM cctv.visits WHERE COALESCE(last_activity_at, created_at) < now() - interval '90 days') AS visits,
                                (SELECT count(*)::int FROM cctv.segments WHERE ended_at < now() - interval '90 days') AS segments,
                                (SELECT count(*)::int FROM retention_run WHERE automatic AND status = 'COMPLETED') AS runs`;
        const after = await eventually(
          async () => (await pgClient.query(expired)).rows[0],
          (r) => r.runs > 0,
          { timeoutMs: 60_000 },
        );
        expect(after).toMatchObject({ visits: 0, segments: 0 });
      } finally {
        await pgClient.end();
      }
    } finally {
      // Ctrl-C in a terminal signals the whole group; SIGINT to the gateway is the same path.
      const code = await gateway.stop('SIGINT');
      expect(code, gateway.output()).toBe(0);
    }
    expect(postgresRunningOn(dir)).toBe(false);
  }, 120_000);
});
