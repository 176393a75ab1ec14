import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/version.js';
import { compiledEntry, firstQueryOnStart, runCommand, runNode } from '../support/processes.js';

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

/** JSON log lines at error level or above (pino: 50 error, 60 fatal). */
function errorLines(output: string): string[] {
  return output.split('\n').filter((line) => {
    try {
      return (JSON.parse(line) as { level?: number }).level! >= 50;
    } catch {
      return false;
    }
  });
}

const scratch: string[] = [];
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

// A newcomer on a fresh server: `git clone` into root's home (mode 0700), `npm ci`,
// `npm start`. As root the embedded PostgreSQL runs as `postgres`, which cannot enter
// that folder; the gateway must start anyway. (CI runs as root, so this is that path.)
describe('npm start from a clone in a private folder', () => {
  it('answers GraphQL, and Ctrl-C to its process group stops it with no error line and no stray postgres', async () => {
    const home = mkdtempSync(join(tmpdir(), 'dsr-private-')); // mkdtemp: mode 0700, like /root
    scratch.push(home);
    expect(statSync(home).mode & 0o777).toBe(0o700);
    const clone = join(home, 'dsr-gateway');
    execFileSync('git', ['clone', '--quiet', projectRoot, clone]);
    // `npm ci` would fetch the same tree; hard links to the installed one make it instant
    // and keep the binaries inside the private folder.
    execFileSync('cp', ['-al', join(projectRoot, 'node_modules'), join(clone, 'node_modules')]);
    const data = mkdtempSync(join(tmpdir(), 'dsr-private-pg-'));
    scratch.push(data, `${join(data, 'pg')}-bin`);
    chmodSync(data, 0o755); // the data folder's parent must be reachable: the README says so
    const dir = join(data, 'pg');
    const port = String(55000 + Math.floor(Math.random() * 4000));

    const gateway = runCommand('npm', ['start'], {
      cwd: clone,
      env: { EMBEDDED_PG_DIR: dir, EMBEDDED_PG_PORT: port, PORT: '0', DEMO_PEOPLE: '20' },
      group: true,
    });
    try {
      const { data } = await firstQueryOnStart<{ health: { ready: boolean; database: boolean }; sources: { healthy: boolean }[] }>(
        gateway,
        '{ health { ready database } sources { id healthy } }',
        200_000,
      );
      expect(data.health).toEqual({ ready: true, database: true });
      expect(data.sources.length).toBeGreaterThan(0);
      expect(postgresRunningOn(dir)).toBe(true);
    } finally {
      // A terminal's Ctrl-C: SIGINT to npm, the shell, node and anything else in the group.
      await gateway.stop('SIGINT');
    }
    const output = gateway.output();
    expect(output).toContain('"stopped"');
    expect(errorLines(output), output).toEqual([]);
    expect(output).not.toContain('EACCES');
    expect(postgresRunningOn(dir)).toBe(false);
  }, 300_000);

  it('a failure to start the embedded database ends in one message naming what to change, not a stack trace', async () => {
    const data = mkdtempSync(join(tmpdir(), 'dsr-broken-pg-'));
    scratch.push(data);
    const dir = join(data, 'pg');
    mkdirSync(dir);
    writeFileSync(join(dir, 'PG_VERSION'), 'not a cluster\n'); // looks initialised, is not
    const gateway = runNode(compiledEntry('src/cli/start.js'), { EMBEDDED_PG_DIR: dir, EMBEDDED_PG_PORT: '54999', PORT: '0' });
    const code = await gateway.exited;
    const output = gateway.output();
    expect(code, output).toBe(1);
    expect(output).toContain(`The embedded PostgreSQL in ${dir} did not start`);
    expect(output).toContain('EMBEDDED_PG_DIR');
    expect(output, 'no stack trace').not.toMatch(/^\s+at /m);
  }, 60_000);
});
