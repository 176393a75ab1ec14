// Natural batching: work that arrives while a batch is running waits and goes out as the
// next batch. DataLoader does the collecting; its batchScheduleFn holds a batch back
// until one of `maxInFlight` slots is free. Under light load a batch is one item and
// goes at once; under heavy load batches grow to `maxBatchSize`, so round trips per
// item fall exactly when throughput matters. No cache: every load is new work.
import DataLoader from 'dataloader';

export function flightLimitedLoader<K, V>(
  run: (items: readonly K[]) => Promise<ReadonlyArray<V | Error>>,
  options: { maxBatchSize: number; maxInFlight: number },
): DataLoader<K, V, K> {
  let inFlight = 0;
  const waiting: (() => void)[] = [];
  const release = () => {
    inFlight--;
    waiting.shift()?.();
  };
  return new DataLoader<K, V, K>(
    async (items) => {
      try {
        return await run(items);
      } finally {
        release();
      }
    },
    {
      cache: false,
      maxBatchSize: options.maxBatchSize,
      batchScheduleFn: (dispatch) => {
        const go = () => {
          inFlight++;
          dispatch();
        };
        // setImmediate: what every I/O callback of this loop turn added joins the batch.
        setImmediate(() => (inFlight < options.maxInFlight ? go() : waiting.push(go)));
      },
    },
  );
}
