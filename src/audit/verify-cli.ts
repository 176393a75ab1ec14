// `npm run audit:verify`: checks the audit hash chain and names every broken link.
// Exit codes: 0 chain intact, 1 chain broken, 2 could not check (configuration, database).
import 'reflect-metadata';
import { pathToFileURL } from 'node:url';
import { createDataSource } from '../database/data-source.js';
import { verifyAuditChain } from './verify-chain.js';

export interface VerifyCliIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

export function databaseUrlFrom(argv: readonly string[], env: Record<string, string | undefined>): string | undefined {
  const i = argv.indexOf('--database-url');
  if (i >= 0) return argv[i + 1];
  const inline = argv.find((a) => a.startsWith('--database-url='));
  if (inline) return inline.slice('--database-url='.length);
  return env.DSR_DATABASE_URL ?? env.DATABASE_URL;
}

export async function runAuditVerify(
  argv: readonly string[] = process.argv.slice(2),
  env: Record<string, string | undefined> = process.env,
  io: VerifyCliIo = { out: (l) => console.log(l), err: (l) => console.error(l) },
): Promise<number> {
  const url = databaseUrlFrom(argv, env);
  if (!url) {
    io.err('audit:verify: set DSR_DATABASE_URL (or DATABASE_URL, or pass --database-url)');
    return 2;
  }
  const dataSource = createDataSource({ url, poolSize: 1, applicationName: 'dsr-audit-verify' });
  try {
    await dataSource.initialize();
    const result = await verifyAuditChain(dataSource);
    if (result.ok) {
      io.out(`audit chain OK: ${result.checked} entries verified`);
      return 0;
    }
    // Every break, so a real edit later in the chain is not hidden behind an earlier one.
    for (const b of result.breaks) io.err(`audit chain BROKEN at seq ${b.seq}: ${b.reason}`);
    io.err(`(${result.checked} entries checked, ${result.breaks.length} broken ${result.breaks.length === 1 ? 'place' : 'places'})`);
    return 1;
  } catch (e) {
    io.err(`audit:verify could not check the chain: ${(e as Error).message}`);
    return 2;
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
  }
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  runAuditVerify().then((code) => {
    process.exitCode = code;
  });
}
