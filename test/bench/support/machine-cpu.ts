// Where a phase's CPU went on this machine, read from Linux's /proc: this process's main
// thread and its other threads, PostgreSQL's backends by the application that opened them
// (the gateway's own, the sources', PostgreSQL's own background work), Redis, and the
// rest. On a box where the gateway, PostgreSQL, Redis and the source systems share the
// cores, this shows what bounds a benchmark: the main thread, or the machine as a whole.
// Backends that ended within the phase are not counted (the pools keep theirs open).
import { readdir, readFile } from 'node:fs/promises';
import os from 'node:os';

export type CpuPart = 'mainThread' | 'otherThreads' | 'pgGateway' | 'pgSources' | 'pgOther' | 'redis' | 'other';

export interface MachineCpu {
  wallSeconds: number;
  /** CPU seconds per part. */
  seconds: Record<CpuPart, number>;
  /** Share of the machine's CPU time that was busy in the phase (0..1). */
  busy: number;
  cores: number;
}

interface Snapshot {
  at: number;
  /** pid -> [command, CPU ticks] */
  processes: Map<number, [string, number]>;
  mainThreadTicks: number;
  /** busy and total ticks of the whole machine */
  machine: [number, number];
}

const TICKS_PER_SECOND = 100;

/** utime + stime of a /proc stat line, and its command. */
function parseStat(line: string): [string, number] {
  const close = line.lastIndexOf(')');
  const command = line.slice(line.indexOf('(') + 1, close);
  const fields = line.slice(close + 2).split(' ');
  return [command, Number(fields[11]) + Number(fields[12])];
}

async function snapshot(): Promise<Snapshot> {
  const processes = new Map<number, [string, number]>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      processes.set(Number(entry), parseStat(await readFile(`/proc/${entry}/stat`, 'utf8')));
    } catch {
      // The process ended meanwhile.
    }
  }
  const [, mainThreadTicks] = parseStat(await readFile(`/proc/${process.pid}/task/${process.pid}/stat`, 'utf8'));
  const cpu = (await readFile('/proc/stat', 'utf8')).split('\n')[0]!.split(/\s+/).slice(1).map(Number);
  const total = cpu.reduce((a, b) => a + b, 0);
  const idle = (cpu[3] ?? 0) + (cpu[4] ?? 0);
  return { at: performance.now(), processes, mainThreadTicks, machine: [total - idle, total] };
}

/**
 * Starts measuring; the returned function ends the phase. `backends` answers which
 * application each PostgreSQL backend serves (pid -> application_name), asked at the end.
 * Answers undefined where /proc is not there (not Linux).
 */
export async function measureMachineCpu(backends: () => Promise<Map<number, string>>): Promise<() => Promise<MachineCpu | undefined>> {
  const start = await snapshot().catch(() => undefined);
  return async () => {
    if (!start) return undefined;
    const end = await snapshot();
    const applications = await backends();
    const seconds: Record<CpuPart, number> = { mainThread: 0, otherThreads: 0, pgGateway: 0, pgSources: 0, pgOther: 0, redis: 0, other: 0 };
    for (const [pid, [command, ticks]] of end.processes) {
      const used = (ticks - (start.processes.get(pid)?.[1] ?? 0)) / TICKS_PER_SECOND;
      if (used <= 0) continue;
      seconds[partOf(pid, command, applications.get(pid))] += used;
    }
    const mainThread = (end.mainThreadTicks - start.mainThreadTicks) / TICKS_PER_SECOND;
    seconds.mainThread = mainThread;
    seconds.otherThreads -= mainThread;
    const [busyEnd, totalEnd] = end.machine;
    const [busyStart, totalStart] = start.machine;
    return {
      wallSeconds: (end.at - start.at) / 1000,
      seconds,
      busy: (busyEnd - busyStart) / Math.max(1, totalEnd - totalStart),
      cores: os.availableParallelism(),
    };
  };
}

function partOf(pid: number, command: string, application: string | undefined): CpuPart {
  // This process as a whole; its main thread is split off afterwards.
  if (pid === process.pid) return 'otherThreads';
  if (command === 'postgres') {
    if (application?.startsWith('dsr-gateway')) return 'pgGateway';
    if (application?.startsWith('dsr-connector') || application?.startsWith('dsr-sql')) return 'pgSources';
    return 'pgOther';
  }
  if (command.startsWith('redis-server')) return 'redis';
  return 'other';
}

/** Milliseconds of CPU per unit of work, part by part, with the total and the databases' share. */
export function perUnit(cpu: MachineCpu, units: number): Record<CpuPart | 'total' | 'postgresAndRedis', number> {
  const ms = (s: number) => (s * 1000) / units;
  const parts = Object.fromEntries(Object.entries(cpu.seconds).map(([k, v]) => [k, ms(v)])) as Record<CpuPart, number>;
  return {
    ...parts,
    total: Object.values(parts).reduce((a, b) => a + b, 0),
    postgresAndRedis: parts.pgGateway + parts.pgSources + parts.pgOther + parts.redis,
  };
}
