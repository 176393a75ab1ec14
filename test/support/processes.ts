import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../src/version.js';

/**
 * End-to-end tests run the compiled entry points exactly as `npm start`, `npm run serve`
 * and `npm run worker` do. `npm test` builds first; a missing build is an error, not a skip.
 */
export function compiledEntry(relative: string): string {
  const file = join(projectRoot, 'dist', relative);
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` (npm test does)`);
  return file;
}

export interface RunningProcess {
  child: ChildProcess;
  output: () => string;
  /** Resolves with the first JSON log line (or plain line) that satisfies `match`. */
  waitFor(match: (line: string) => boolean, timeoutMs: number): Promise<string>;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Resolves with the exit code when the process ends by itself. */
  exited: Promise<number | null>;
}

export function runNode(entry: string, env: Record<string, string>): RunningProcess {
  return runCommand(process.execPath, [entry], { cwd: projectRoot, env });
}

/**
 * Runs any command. With `group`, it leads a process group of its own and `stop` signals
 * the whole group, as a terminal's Ctrl-C does.
 */
export function runCommand(command: string, args: string[], options: { cwd: string; env: Record<string, string>; group?: boolean }): RunningProcess {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.group ?? false,
  });
  let buffer = '';
  const listeners = new Set<(line: string) => void>();
  const onData = (chunk: Buffer) => {
    const text = chunk.toString();
    buffer += text;
    for (const line of text.split('\n')) for (const l of listeners) l(line);
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    exited,
    output: () => buffer,
    waitFor(match, timeoutMs) {
      const already = buffer.split('\n').find(match);
      if (already) return Promise.resolve(already);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          listeners.delete(listener);
          reject(new Error(`timed out after ${timeoutMs} ms; output so far:\n${buffer}`));
        }, timeoutMs);
        const listener = (line: string) => {
          if (!match(line)) return;
          clearTimeout(timer);
          listeners.delete(listener);
          resolve(line);
        };
        listeners.add(listener);
        exited.then((code) => {
          clearTimeout(timer);
          reject(new Error(`process exited with ${code} before the expected line; output:\n${buffer}`));
        });
      });
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) {
        if (options.group) process.kill(-child.pid!, signal);
        else child.kill(signal);
      }
      return exited;
    },
  };
}

/**
 * Waits for `npm start` to be up, reads its URL and the development key it prints, and
 * asks GraphQL one query with that key: what a newcomer does first.
 */
export async function firstQueryOnStart<T>(gateway: RunningProcess, query: string, startTimeoutMs: number): Promise<{ url: string; data: T }> {
  const line = await gateway.waitFor((l) => l.includes('"gateway started"'), startTimeoutMs);
  const url = JSON.parse(line).url as string;
  const keyLine = await gateway.waitFor((l) => l.startsWith('Development key'), 60_000);
  const key = keyLine.split(': ')[1]!.trim();
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query }),
  });
  return { url, data: ((await res.json()) as { data: T }).data };
}
