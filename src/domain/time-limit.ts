// A wait with an end: the work's result, or the given error once `ms` have passed. The work
// itself is not cancelled (a hung source call runs on); the caller stops waiting for it.
export async function withinTime<T>(work: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
