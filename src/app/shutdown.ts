import type { Logger } from '../logging/logger.js';

/**
 * SIGTERM and SIGINT stop the process gracefully: `stop` drains HTTP and workers and
 * closes pools. A second signal, or the grace period running out, exits at once.
 */
export function stopOnSignals(stop: () => Promise<void>, logger: Logger, graceMs: number): void {
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) process.exit(130);
    signalled = true;
    logger.info({ signal }, 'signal received');
    const timer = setTimeout(() => {
      logger.error({ graceMs }, 'shutdown took too long; exiting');
      process.exit(1);
    }, graceMs);
    timer.unref();
    stop().then(
      () => process.exit(0),
      (err) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
