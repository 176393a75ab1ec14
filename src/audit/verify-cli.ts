// `npm run audit:verify`: checks the audit hash chain and names every broken link.
// `--checkpoint <file>` also checks it against signed checkpoints of the head
// (DSR_AUDIT_CHECKPOINT_KEYS), which catches a rewrite by the role that owns the tables.
// Exit codes: 0 chain intact, 1 chain broken, 2 could not check (configuration, database, checkpoint file).
import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { createDataSource } from '../database/data-source.js';
import { verifyAuditChain, type ChainAnchor } from './verify-chain.js';
import { CHECKPOINT_KEYS_VARIABLE, loadCheckpointKeyring, parseCheckpoints } from './checkpoint.js';

export interface VerifyCliIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

/** The value of `--name value` or `--name=value`. */
function option(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  if (i >= 0) return argv[i + 1];
  const inline = argv.find((a) => a.startsWith(`${name}=`));
  return inline?.slice(name.length + 1);
}

export function databaseUrlFrom(argv: readonly string[], env: Record<string, string | undefined>): string | undefined {
  return option(argv, '--database-url') ?? env.DSR_DATABASE_URL ?? env.DATABASE_URL;
}

/** The anchors of a checkpoint file, or the reason they cannot be used. */
function checkpointAnchors(file: string, env: Record<string, string | undefined>): { anchors: ChainAnchor[] } | { problem: string } {
  const keyring = loadCheckpointKeyring(env);
  if (!keyring) return { problem: `set ${CHECKPOINT_KEYS_VARIABLE} to check against checkpoints` };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return { problem: `cannot read the checkpoint file: ${(e as Error).message}` };
  }
  const { anchors, problems } = parseCheckpoints(text, keyring);
  if (problems.length > 0) return { problem: problems.join('; ') };
  if (anchors.length === 0) return { problem: 'the checkpoint file holds no checkpoint' };
  return { anchors };
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
  const checkpointFile = option(argv, '--checkpoint');
  let anchors: ChainAnchor[] = [];
  if (checkpointFile !== undefined) {
    const read = checkpointAnchors(checkpointFile, env);
    if ('problem' in read) {
      io.err(`audit:verify could not use the checkpoints: ${read.problem}`);
      return 2;
    }
    anchors = read.anchors;
  }
  const dataSource = createDataSource({ url, poolSize: 1, applicationName: 'dsr-audit-verify' });
  try {
    await dataSource.initialize();
    const result = await verifyAuditChain(dataSource, { anchors });
    if (result.ok) {
      const latest = anchors.reduce((max, a) => (BigInt(a.seq) > BigInt(max) ? a.seq : max), '0');
      io.out(
        `audit chain OK: ${result.checked} entries verified` +
          (anchors.length ? `, matching ${anchors.length} signed checkpoints (latest at seq ${latest})` : ''),
      );
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
