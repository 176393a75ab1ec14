import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RepeatedErrorLog } from '../../../src/logging/repeated-errors.js';

describe('an outage logs an error once, then one summary per period', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('1,500 identical worker errors in 3 s from several queues make one line, then one summary', () => {
    const lines: { fields: Record<string, unknown>; msg: string }[] = [];
    const log = new RepeatedErrorLog(
      { error: ((fields: Record<string, unknown>, msg: string) => lines.push({ fields, msg })) as never },
      'worker error',
      30_000,
    );
    for (let i = 0; i < 1500; i++) {
      log.report('connect ECONNREFUSED 127.0.0.1:6379', ['requests', 'system', 'schedules'][i % 3]!);
      vi.advanceTimersByTime(2);
    }
    expect(lines).toHaveLength(1);
    expect(lines[0]!.fields).toMatchObject({ err: 'connect ECONNREFUSED 127.0.0.1:6379', where: 'requests' });
    vi.advanceTimersByTime(30_000);
    expect(lines).toHaveLength(2);
    expect(lines[1]!.msg).toBe('worker error (repeated)');
    expect(lines[1]!.fields).toMatchObject({ repeated: 1499, where: ['requests', 'schedules', 'system'] });
    // A quiet period: nothing more; then the error is forgotten and logged at once when it returns.
    vi.advanceTimersByTime(60_000);
    expect(lines).toHaveLength(2);
    log.report('connect ECONNREFUSED 127.0.0.1:6379', 'system');
    expect(lines).toHaveLength(3);
    log.close();
  });

  it('after shutdown, an error of a worker still closing (its connection ended by the stop) is not logged', () => {
    const lines: unknown[] = [];
    const log = new RepeatedErrorLog({ error: ((...args: unknown[]) => lines.push(args)) as never }, 'worker error', 30_000);
    log.report('boom', 'requests');
    expect(lines).toHaveLength(1);
    log.close();
    log.report('terminating connection due to administrator command', 'requests');
    expect(lines).toHaveLength(1);
  });
});
