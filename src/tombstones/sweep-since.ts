// An operator's recreation sweep from a point in time:
//   npm run sweep:recreations -- --since <ISO 8601 date> [--source <source id>]
// The scheduled sweep looks back two periods of change time, so a record that comes back
// with an old change date (a source restored from a backup) is met by no scheduled run.
// This is the same sweep (same checks, same tasks, same audit) from the given time, over
// every active source or one. It prints its report: counts and ids only.
import { DomainError } from '../domain/errors.js';
import type { Services } from '../app/services.js';
import { changeFeedOf, runRecreationSweep, type SweepFailure, type SweepReport } from './recreation-sweep.js';

export interface SweepSinceArguments {
  since: Date;
  /** One active source, or null for every active source. */
  sourceId: string | null;
}

export interface SweepCliIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

export const SWEEP_USAGE =
  'usage: npm run sweep:recreations -- --since <ISO 8601 date (2026-01-31) or date-time with its zone (2026-01-31T08:00:00Z)> [--source <source id>]';

/** Who the audit names for a run from the shell. */
export const SWEEP_CLI_ACTOR = { id: 'cli:sweep-recreations', kind: 'system' };

// A calendar date (midnight UTC), or a date-time with Z or an offset: a date-time without
// its zone would be read in the machine's own zone, which the operator may not expect.
const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2}))?$/;

/** An ISO 8601 date or zoned date-time as an instant; null when it is not one (2026-02-30 included). */
export function parseInstant(text: string): Date | null {
  const m = ISO_INSTANT.exec(text);
  if (!m) return null;
  const at = new Date(text);
  if (Number.isNaN(at.getTime())) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // Date rolls 2026-02-30 over to March; the calendar date must be the one written.
  const written = new Date(Date.UTC(year, month - 1, day));
  if (written.getUTCFullYear() !== year || written.getUTCMonth() !== month - 1 || written.getUTCDate() !== day) return null;
  if (m[4] !== undefined && (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6] ?? 0) > 59)) return null;
  return at;
}

/** The value of `--name value` or `--name=value`; undefined when absent. */
function option(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  if (i >= 0) return argv[i + 1] ?? '';
  return argv.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
}

/**
 * The run's arguments: `--since` required, an instant not after `now` (INVALID_DATE,
 * DATE_IN_FUTURE); `--source` optional (its existence, and that it can list its changes, are
 * checked against the registry when the sweep runs). Anything else is BAD_USER_INPUT.
 */
export function parseSweepArguments(argv: readonly string[], now: Date): SweepSinceArguments {
  const known = new Set(['--since', '--source']);
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i]!.split('=')[0]!;
    if (!known.has(name)) throw new DomainError('BAD_USER_INPUT', `unknown argument ${JSON.stringify(name)}`, { field: name });
    if (!argv[i]!.includes('=')) i++;
  }
  const sinceText = option(argv, '--since');
  if (sinceText === undefined || sinceText === '') throw new DomainError('BAD_USER_INPUT', '--since <ISO 8601 date> is required', { field: 'since' });
  const since = parseInstant(sinceText);
  if (!since) {
    throw new DomainError('INVALID_DATE', '--since is not an ISO 8601 date (2026-01-31) or date-time with its zone (2026-01-31T08:00:00Z)', {
      field: 'since',
    });
  }
  if (since.getTime() > now.getTime()) {
    throw new DomainError('DATE_IN_FUTURE', `--since ${since.toISOString()} is later than now (${now.toISOString()})`, { field: 'since' });
  }
  const sourceId = option(argv, '--source');
  if (sourceId === '') throw new DomainError('BAD_USER_INPUT', '--source needs a source id', { field: 'source' });
  return { since, sourceId: sourceId ?? null };
}

/**
 * The sweep from `since`, over one active source or every one; audited. A source named by the
 * operator must exist (SOURCE_NOT_FOUND) and be able to list its changes (SOURCE_CANNOT_LIST):
 * a run over it alone would sweep nothing, and an exit code of 0 would read as "nothing came back".
 */
export async function sweepSince(services: Services, args: SweepSinceArguments, actor = SWEEP_CLI_ACTOR): Promise<SweepReport> {
  if (args.sourceId !== null) {
    const active = await services.sources.list();
    if (!active.some((s) => s.id === args.sourceId)) {
      throw new DomainError('SOURCE_NOT_FOUND', `no active source ${args.sourceId}`, { sourceIds: [args.sourceId] });
    }
    // A connector that cannot be built is left to the sweep, which reports the source as failed (exit code 1).
    const connector = await services.sources.connector(args.sourceId).catch(() => null);
    if (connector && !changeFeedOf(connector)) {
      throw new DomainError(
        'SOURCE_CANNOT_LIST',
        `source ${args.sourceId} cannot list its changes (remote and generic SQL sources rely on the recreation guard alone); nothing was swept`,
        { sourceIds: [args.sourceId] },
      );
    }
  }
  return runRecreationSweep(services, { since: args.since, actor, ...(args.sourceId !== null ? { sourceIds: [args.sourceId] } : {}) });
}

/** What stopped a source, by its code: the error's own text may hold personal data. */
function failureLine(f: SweepFailure): string {
  return f.stage === 'CONNECTOR' ? `its connector could not be built (${f.code})` : `its records could not be listed and checked (${f.code})`;
}

/** The report as lines for the operator: counts and ids only. */
export function sweepReportLines(args: SweepSinceArguments, report: SweepReport): string[] {
  const lines = [`recreation sweep since ${args.since.toISOString()} over ${args.sourceId ?? 'every active source'}`];
  for (const [sourceId, n] of Object.entries(report.checked)) lines.push(`  checked ${sourceId}: ${n} record(s)`);
  for (const sourceId of report.skipped) lines.push(`  skipped ${sourceId}: cannot list its changes (the recreation guard alone protects it)`);
  for (const f of report.failed) lines.push(`  FAILED ${f.sourceId}: ${failureLine(f)} (run again)`);
  for (const h of report.hits) {
    lines.push(`  recreated ${h.sourceId} ${h.recordId}: erasure ${h.taskId ? `task ${h.taskId} queued` : 'already queued'} on request ${h.requestId}`);
  }
  for (const u of report.unconfirmed)
    lines.push(`  unconfirmed ${u.sourceId} ${u.recordId}: shares one contact with request ${u.requestId}; for a handler to look at`);
  lines.push(`hits: ${report.hits.length}, unconfirmed: ${report.unconfirmed.length}, skipped: ${report.skipped.length}, failed: ${report.failed.length}`);
  return lines;
}

/**
 * Runs the sweep from the shell's arguments and prints its report. Exit codes: 0 every source
 * listed, 1 some source could not be listed, its store or its connector (the report names it;
 * run again), 64 bad input
 * (the error code and message, then the usage).
 */
export async function runSweepCommand(
  argv: readonly string[],
  services: Services,
  io: SweepCliIo = { out: (l) => console.log(l), err: (l) => console.error(l) },
  now: Date = new Date(),
): Promise<number> {
  let args: SweepSinceArguments;
  let report: SweepReport;
  try {
    args = parseSweepArguments(argv, now);
    report = await sweepSince(services, args);
  } catch (error) {
    if (error instanceof DomainError) {
      io.err(`${error.code}: ${error.message}\n${SWEEP_USAGE}`);
      return 64;
    }
    throw error;
  }
  for (const line of sweepReportLines(args, report)) io.out(line);
  return report.failed.length > 0 ? 1 : 0;
}
