// Queue names. Source task queues are per source so each source gets its own
// concurrency and rate limit; the rest are shared by all workers.
export const QueueNames = {
  system: 'system',
  requests: 'requests',
  schedules: 'schedules',
  sourceTasks: (sourceId: string) => `source-tasks.${sourceId}`,
} as const;
