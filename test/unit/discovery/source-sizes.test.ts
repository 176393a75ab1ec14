import { describe, expect, it } from 'vitest';
import { SourceSizes } from '../../../src/discovery/source-sizes.js';

/** A count function answering from a script, that remembers how often it was asked. */
function counter(answers: Record<string, () => Promise<number | undefined>>) {
  const asked: string[] = [];
  return {
    asked,
    count: (id: string) => {
      asked.push(id);
      return answers[id]!();
    },
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('source sizes for the prior', () => {
  it('counts a source once, then answers from the cache until the TTL runs out', async () => {
    let now = 0;
    const c = counter({ crm: async () => 50_000 });
    const sizes = new SourceSizes(c.count, { ttlMs: 60_000, now: () => now });
    expect(await sizes.recordsOf('crm')).toBe(50_000);
    now = 59_999;
    for (let i = 0; i < 100; i++) expect(await sizes.recordsOf('crm')).toBe(50_000);
    expect(c.asked).toEqual(['crm']);
  });

  it('after the TTL answers with the last count at once and refreshes in the background', async () => {
    let now = 0;
    let records = 50_000;
    const c = counter({ crm: async () => records });
    const sizes = new SourceSizes(c.count, { ttlMs: 60_000, now: () => now });
    await sizes.recordsOf('crm');
    records = 80_000;
    now = 60_000;
    expect(await sizes.recordsOf('crm')).toBe(50_000);
    expect(await sizes.recordsOf('crm')).toBe(50_000); // the refresh already running is not doubled
    await settle();
    expect(await sizes.recordsOf('crm')).toBe(80_000);
    expect(c.asked).toEqual(['crm', 'crm']);
  });

  it('a failing count keeps the last value, and is not retried before the TTL', async () => {
    let now = 0;
    let down = false;
    const c = counter({ crm: async () => (down ? Promise.reject(new Error('UNAVAILABLE')) : 50_000) });
    const sizes = new SourceSizes(c.count, { ttlMs: 60_000, now: () => now });
    await sizes.recordsOf('crm');
    down = true;
    now = 60_000;
    await sizes.recordsOf('crm');
    await settle();
    expect(await sizes.recordsOf('crm')).toBe(50_000);
    expect(c.asked).toHaveLength(2);
  });

  it('a source that cannot count, or fails its first count, has no size', async () => {
    const c = counter({ remote: async () => undefined, down: async () => Promise.reject(new Error('UNAVAILABLE')) });
    const sizes = new SourceSizes(c.count);
    expect(await sizes.recordsOfAll(['remote', 'down'])).toEqual(
      new Map([
        ['remote', undefined],
        ['down', undefined],
      ]),
    );
    expect(await sizes.recordsOf('down')).toBeUndefined();
    expect(c.asked).toEqual(['remote', 'down']);
  });

  it('waits only briefly for a slow first count, shared by concurrent discoveries, and uses it once it arrives', async () => {
    let finish!: (n: number) => void;
    const c = counter({ big: () => new Promise<number>((resolve) => (finish = resolve)) });
    const sizes = new SourceSizes(c.count, { firstCountWaitMs: 20 });
    const started = Date.now();
    expect(await Promise.all([sizes.recordsOf('big'), sizes.recordsOf('big')])).toEqual([undefined, undefined]);
    expect(Date.now() - started).toBeLessThan(1_000);
    finish(2_000_000);
    await settle();
    expect(await sizes.recordsOf('big')).toBe(2_000_000);
    expect(c.asked).toEqual(['big']);
  });

  it('counts again after forget (a changed registration)', async () => {
    let records = 10;
    const c = counter({ crm: async () => records });
    const sizes = new SourceSizes(c.count);
    await sizes.recordsOf('crm');
    records = 20;
    sizes.forget('crm');
    expect(await sizes.recordsOf('crm')).toBe(20);
  });
});
