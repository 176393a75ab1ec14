// Queue names. Source task queues are per source so each source gets its own
// concurrency and rate limit; the rest are shared by all workers.
export const QueueNames = {
  system: 'system',
  requests: 'requests',
  schedules: 'schedules',
  sourceTasks: (sourceId: string) => `source-tasks.${sourceId}`,
} as const;

/** Every queue of the gateway: the shared ones and one task queue per source. */
export function allQueueNames(sourceIds: readonly string[]): string[] {
  return [QueueNames.requests, QueueNames.schedules, QueueNames.system, ...sourceIds.map(QueueNames.sourceTasks)];
}
