import { describe, expect, it } from 'vitest';
import { flightLimitedLoader } from '../../../src/domain/flight-limited-loader.js';

const tick = () => new Promise((r) => setImmediate(r));

describe('flightLimitedLoader: work arriving while batches run goes out as the next batch', () => {
  it('collects what arrives during a running batch, never exceeding the slots or the batch size', async () => {
    const batches: number[][] = [];
    let running = 0;
    let most = 0;
    const release: (() => void)[] = [];
    const loader = flightLimitedLoader<number, number>(
      async (items) => {
        batches.push([...items]);
        most = Math.max(most, ++running);
        await new Promise<void>((r) => release.push(r));
        running--;
        return items.map((i) => i * 10);
      },
      { maxBatchSize: 3, maxInFlight: 1 },
    );
    const first = loader.load(1);
    await tick();
    await tick();
    // Batch [1] is running: these wait, and go as batches of at most 3.
    const rest = [2, 3, 4, 5].map((i) => loader.load(i));
    await tick();
    await tick();
    expect(batches).toEqual([[1]]);
    while (release.length || batches.length < 3) {
      release.shift()?.();
      await tick();
    }
    expect(await Promise.all([first, ...rest])).toEqual([10, 20, 30, 40, 50]);
    expect(batches).toEqual([[1], [2, 3, 4], [5]]);
    expect(most).toBe(1);
  });

  it('an item the batch answers with an Error rejects only that item', async () => {
    const loader = flightLimitedLoader<number, number>(async (items) => items.map((i) => (i === 2 ? new Error('bad item') : i)), {
      maxBatchSize: 10,
      maxInFlight: 2,
    });
    const results = await Promise.allSettled([1, 2, 3].map((i) => loader.load(i)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });
});
