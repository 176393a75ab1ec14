/**
 * Polls `probe` until it returns a value `done` accepts, or the deadline passes; returns
 * the last value either way, so the test's assertion on it fails with what was seen.
 */
export async function eventually<T>(probe: () => Promise<T>, done: (value: T) => boolean, options: { timeoutMs?: number; everyMs?: number } = {}): Promise<T> {
  const until = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > until) return value;
    await new Promise((resolve) => setTimeout(resolve, options.everyMs ?? 100));
  }
}
