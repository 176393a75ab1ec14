// Optional CPU profile of one phase of a benchmark: set BENCH_PROFILE=file.cpuprofile and
// the phase's samples are written there (open it in Chrome DevTools or speedscope).
import { Session } from 'node:inspector/promises';
import { writeFile } from 'node:fs/promises';

export async function profilePhase(): Promise<() => Promise<void>> {
  const file = process.env.BENCH_PROFILE;
  if (!file) return async () => undefined;
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return async () => {
    const { profile } = await session.post('Profiler.stop');
    await writeFile(file, JSON.stringify(profile));
    session.disconnect();
    console.error(`CPU profile of the measured phase written to ${file}`);
  };
}
