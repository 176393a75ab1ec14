import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compiledEntry, runNode } from '../support/processes.js';

// A bad setting stops every entry point before it touches the database: the operator
// reads every bad variable at once, and nothing half-starts (migrations, queues) on a
// configuration that will not run. DATABASE_URL points at a listener this test owns, so
// any connection attempt is counted.
describe('bad configuration stops every entry point before any connection', () => {
  let listener: Server;
  let connections = 0;
  let databaseUrl: string;

  beforeAll(async () => {
    listener = createServer((socket) => {
      connections += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const port = (listener.address() as { port: number }).port;
    databaseUrl = `postgres://postgres@127.0.0.1:${port}/dsr`;
  });
  afterAll(() => new Promise<void>((resolve) => listener.close(() => resolve())));

  // One gateway setting and one execution setting: the two used to be checked at
  // different moments, the second only after the database had been migrated.
  const badEnv = () => ({ DATABASE_URL: databaseUrl, NODE_ENV: 'development', TASK_ATTEMPTS: 'many', DSR_DUE_SOON_DAYS: '0' });

  it.each([
    ['npm start', 'src/cli/start.js'],
    ['npm run serve', 'src/cli/serve.js'],
    ['npm run worker', 'jobs/worker-main.js'],
    ['npm run migrate', 'src/cli/migrate.js'],
    ['npm run keys', 'src/cli/keys.js'],
  ])('%s exits with 78 (EX_CONFIG), naming both variables, without connecting', async (_name, entry) => {
    const run = runNode(compiledEntry(entry), badEnv());
    let stderr = '';
    run.child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await run.exited;
    expect(code, run.output()).toBe(78);
    expect(stderr).toContain('TASK_ATTEMPTS');
    expect(stderr).toContain('DSR_DUE_SOON_DAYS');
    expect(connections).toBe(0);
  });
});
