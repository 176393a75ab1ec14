// An outage (Redis gone) makes every worker and client report the same error many times
// a second: thousands of identical lines that bury everything else. The first occurrence
// of an error is logged at once; repeats are counted and summarised once per period,
// with the places (queues) that reported them. An error quiet for a whole period is
// forgotten, so its next occurrence is logged at once again.
import type { Logger } from './logger.js';

interface Seen {
  fields: Record<string, unknown>;
  repeats: number;
  where: Set<string>;
}

export class RepeatedErrorLog {
  private readonly seen = new Map<string, Seen>();
  private readonly timer: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly logger: Pick<Logger, 'error'>,
    private readonly message: string,
    readonly periodMs = 30_000,
  ) {
    this.timer = setInterval(() => this.flush(), periodMs);
    this.timer.unref();
  }

  /** `err`: the error's message (ids only, as every log line); `where`: e.g. the queue. */
  report(err: string, where: string, fields: Record<string, unknown> = {}): void {
    // After shutdown, a worker's last poll can still fail on the connection the stop ended: not a fault to report.
    if (this.closed) return;
    const known = this.seen.get(err);
    if (known) {
      known.repeats++;
      known.where.add(where);
      return;
    }
    this.seen.set(err, { fields, repeats: 0, where: new Set([where]) });
    this.logger.error({ ...fields, where, err }, this.message);
  }

  /** Logs one summary per error repeated in the period just ended; forgets the quiet ones. */
  flush(): void {
    for (const [err, s] of this.seen) {
      if (s.repeats === 0) {
        this.seen.delete(err);
        continue;
      }
      this.logger.error({ ...s.fields, err, repeated: s.repeats, periodMs: this.periodMs, where: [...s.where].sort() }, `${this.message} (repeated)`);
      s.repeats = 0;
      s.where.clear();
    }
  }

  close(): void {
    this.closed = true;
    this.flush();
    clearInterval(this.timer);
  }
}
