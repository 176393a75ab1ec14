// Signed checkpoints of the audit chain head: an anchor outside the database.
//
// The hash chain shows an edit unless whoever edits also recomputes every later hash and
// moves the head, which the role that owns the tables can do. A checkpoint records the
// head (seq and hash) signed with a key the database never sees (HMAC-SHA256,
// DSR_AUDIT_CHECKPOINT_KEYS), kept where the operator keeps it (a file, the log). Since
// each hash covers every entry before it, `audit:verify --checkpoint <file>` catching
// one checkpointed hash changed proves a rewrite of everything up to it.
import { appendFileSync } from 'node:fs';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { HmacKeyring } from '../crypto/hmac-keyring.js';
import { parseKeyList } from '../crypto/key-list.js';
import { keyListVariable } from '../crypto/load-keyrings.js';
import type { Logger } from '../logging/logger.js';
import { canonicalJson } from './canonical-json.js';
import type { ChainAnchor } from './verify-chain.js';

export const CHECKPOINT_KEYS_VARIABLE = 'DSR_AUDIT_CHECKPOINT_KEYS';
const PURPOSE = 'audit-checkpoint';
const VERSION = 'dsr-audit-checkpoint-v1';

const CHECKPOINT_RULE = { min: 32 };

/** The checkpoint variables, validated with the rest of the configuration by loadConfig (src/config/config.ts). */
export const checkpointVariables = z
  .object({
    [CHECKPOINT_KEYS_VARIABLE]: keyListVariable(CHECKPOINT_KEYS_VARIABLE, CHECKPOINT_RULE),
    /** Signed checkpoints of the audit chain head are appended here (needs DSR_AUDIT_CHECKPOINT_KEYS). */
    DSR_AUDIT_CHECKPOINT_FILE: z.string().min(1).optional(),
    DSR_AUDIT_CHECKPOINT_INTERVAL_MS: z.coerce.number().int().min(1000).max(86_400_000).default(300_000),
  })
  .superRefine((v, ctx) => {
    if (v.DSR_AUDIT_CHECKPOINT_FILE && !v[CHECKPOINT_KEYS_VARIABLE]) {
      ctx.addIssue({ code: 'custom', path: ['DSR_AUDIT_CHECKPOINT_FILE'], message: `needs ${CHECKPOINT_KEYS_VARIABLE}: checkpoints must be signed` });
    }
  });

/** Where and how often a gateway process writes checkpoints (the key stays in the environment). */
export function checkpointSettings(v: z.infer<typeof checkpointVariables>): { file?: string; intervalMs: number } {
  return { ...(v.DSR_AUDIT_CHECKPOINT_FILE ? { file: v.DSR_AUDIT_CHECKPOINT_FILE } : {}), intervalMs: v.DSR_AUDIT_CHECKPOINT_INTERVAL_MS };
}

/** One checkpoint: one line of JSON in the checkpoint file. */
export interface AuditCheckpoint {
  v: typeof VERSION;
  seq: string;
  hash: string;
  at: string;
  kid: string;
  mac: string;
}

/** The checkpoint keyring from the environment (kid:base64key[,...], first signs), or undefined when unset. */
export function loadCheckpointKeyring(env: Record<string, string | undefined> = process.env): HmacKeyring | undefined {
  const value = env[CHECKPOINT_KEYS_VARIABLE];
  if (value === undefined || value.trim() === '') return undefined;
  return new HmacKeyring(parseKeyList(CHECKPOINT_KEYS_VARIABLE, value, CHECKPOINT_RULE));
}

const signed = (c: Pick<AuditCheckpoint, 'seq' | 'hash' | 'at'>) => canonicalJson([VERSION, c.seq, c.hash, c.at]);

export function signCheckpoint(head: ChainAnchor, keyring: HmacKeyring, at: Date = new Date()): AuditCheckpoint {
  const fields = { seq: head.seq, hash: head.hash, at: at.toISOString() };
  const { kid, hash: mac } = keyring.keyedHash(undefined, signed(fields), PURPOSE);
  return { v: VERSION, ...fields, kid, mac };
}

/**
 * Reads a checkpoint file (JSON Lines). Every line must carry a valid signature by a key of
 * the keyring: a line that does not is a problem, and its anchor is not used.
 */
export function parseCheckpoints(text: string, keyring: HmacKeyring): { anchors: ChainAnchor[]; problems: string[] } {
  const anchors: ChainAnchor[] = [];
  const problems: string[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let c: Partial<AuditCheckpoint>;
    try {
      c = JSON.parse(line) as Partial<AuditCheckpoint>;
    } catch {
      problems.push(`checkpoint line ${i + 1} is not JSON`);
      return;
    }
    const wellFormed =
      c.v === VERSION &&
      typeof c.seq === 'string' &&
      /^\d{1,19}$/.test(c.seq) &&
      typeof c.hash === 'string' &&
      typeof c.at === 'string' &&
      typeof c.kid === 'string' &&
      typeof c.mac === 'string';
    if (!wellFormed || !keyring.matches({ kid: c.kid!, hash: c.mac! }, signed(c as AuditCheckpoint), PURPOSE)) {
      problems.push(`checkpoint line ${i + 1} does not carry a valid signature (unknown key, or edited)`);
      return;
    }
    anchors.push({ seq: c.seq!, hash: c.hash! });
  });
  return { anchors, problems };
}

/** The chain head as the database holds it now. */
export async function readChainHead(dataSource: DataSource): Promise<ChainAnchor> {
  const [head] = (await dataSource.query(`SELECT last_seq::text AS seq, last_hash AS hash FROM audit_chain_head WHERE id = 1`)) as ChainAnchor[];
  if (!head) throw new Error('audit_chain_head is missing: run the migrations');
  return head;
}

export interface CheckpointTarget {
  keyring: HmacKeyring;
  /** Appended to (one line per checkpoint); unset: the log line only. */
  file?: string;
  logger: Logger;
}

/** Signs the current head and writes it to the file and the log. */
export async function writeCheckpoint(dataSource: DataSource, target: CheckpointTarget, at: Date = new Date()): Promise<AuditCheckpoint> {
  const checkpoint = signCheckpoint(await readChainHead(dataSource), target.keyring, at);
  if (target.file) appendFileSync(target.file, `${JSON.stringify(checkpoint)}\n`, { mode: 0o600 });
  target.logger.info({ auditCheckpoint: checkpoint }, 'audit checkpoint');
  return checkpoint;
}

/**
 * Checkpoints the head every `intervalMs` while the process runs (when it moved), and
 * once more at stop. A failure is logged and retried at the next tick, never fatal.
 */
export function startCheckpoints(dataSource: DataSource, target: CheckpointTarget & { intervalMs: number }): { stop(): Promise<void> } {
  let last: string | undefined;
  let running: Promise<void> = Promise.resolve();
  const tick = () =>
    (running = running.then(async () => {
      try {
        const head = await readChainHead(dataSource);
        if (head.seq === last) return;
        last = (await writeCheckpoint(dataSource, target)).seq;
      } catch (error) {
        target.logger.error({ err: (error as Error).message }, 'audit checkpoint failed');
      }
    }));
  void tick();
  const timer = setInterval(() => void tick(), target.intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await tick();
    },
  };
}

/**
 * The checkpoints a gateway process writes: when DSR_AUDIT_CHECKPOINT_KEYS is set, to the
 * log and (when set) to DSR_AUDIT_CHECKPOINT_FILE. None without the key.
 */
export function startConfiguredCheckpoints(
  dataSource: DataSource,
  settings: { file?: string; intervalMs: number; env: Record<string, string | undefined>; logger: Logger },
): { stop(): Promise<void> } | undefined {
  const keyring = loadCheckpointKeyring(settings.env);
  if (!keyring) {
    if (settings.file) throw new Error(`DSR_AUDIT_CHECKPOINT_FILE is set but ${CHECKPOINT_KEYS_VARIABLE} is not: checkpoints must be signed`);
    return undefined;
  }
  return startCheckpoints(dataSource, { keyring, file: settings.file, intervalMs: settings.intervalMs, logger: settings.logger });
}
