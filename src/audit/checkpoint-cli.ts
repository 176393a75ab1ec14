// `npm run audit:checkpoint`: signs the audit chain head now and appends it to
// DSR_AUDIT_CHECKPOINT_FILE (or --file), for a scheduler on a host the database
// administrator does not control. Exit codes: 0 written, 2 could not (configuration, database).
import 'reflect-metadata';
import { pathToFileURL } from 'node:url';
import { createDataSource } from '../database/data-source.js';
import { createLogger } from '../logging/logger.js';
import { CHECKPOINT_KEYS_VARIABLE, loadCheckpointKeyring, writeCheckpoint } from './checkpoint.js';
import { databaseUrlFrom, type VerifyCliIo } from './verify-cli.js';

export async function runAuditCheckpoint(
  argv: readonly string[] = process.argv.slice(2),
  env: Record<string, string | undefined> = process.env,
  io: VerifyCliIo = { out: (l) => console.log(l), err: (l) => console.error(l) },
): Promise<number> {
  const url = databaseUrlFrom(argv, env);
  const i = argv.indexOf('--file');
  const file = i >= 0 ? argv[i + 1] : env.DSR_AUDIT_CHECKPOINT_FILE;
  let keyring;
  try {
    keyring = loadCheckpointKeyring(env);
  } catch (e) {
    io.err(`audit:checkpoint: ${(e as Error).message}`);
    return 2;
  }
  if (!url || !file || !keyring) {
    io.err(`audit:checkpoint: set DATABASE_URL, DSR_AUDIT_CHECKPOINT_FILE (or --file) and ${CHECKPOINT_KEYS_VARIABLE}`);
    return 2;
  }
  const dataSource = createDataSource({ url, poolSize: 1, applicationName: 'dsr-audit-checkpoint' });
  try {
    await dataSource.initialize();
    const c = await writeCheckpoint(dataSource, { keyring, file, logger: createLogger('silent') });
    io.out(`audit checkpoint written: seq ${c.seq} hash ${c.hash} to ${file}`);
    return 0;
  } catch (e) {
    io.err(`audit:checkpoint could not write a checkpoint: ${(e as Error).message}`);
    return 2;
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
  }
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  runAuditCheckpoint().then((code) => {
    process.exitCode = code;
  });
}
