import { describe, expect, it } from 'vitest';
import { RequestStatus, TaskStatus } from '../../../src/domain/vocabulary.js';
import { stampRequeued, strandedTasks, withdrawnReason } from '../../../src/execution/stranded-work.js';

const task = (id: string, status: TaskStatus, job_id: string | null = null) => ({ id, status, job_id });
const liveJobs =
  (...ids: string[]) =>
  async (t: { id: string }) =>
    ids.includes(t.id);
const finalise = (live: boolean) => {
  const calls: number[] = [];
  return { calls, isLive: async () => (calls.push(1), live) };
};

describe('which work the queues no longer hold is queued again (requests, retention runs and tasks queued alone alike)', () => {
  it('the open tasks whose job is gone are queued again; those still queued and those finished are left alone', async () => {
    const tasks = [task('a', TaskStatus.QUEUED), task('b', TaskStatus.RUNNING), task('c', TaskStatus.SUCCEEDED), task('d', TaskStatus.FAILED)];
    const f = finalise(true);
    expect((await strandedTasks(tasks, liveJobs('b'), f.isLive))?.map((t) => t.id)).toEqual(['a']);
    expect(f.calls).toHaveLength(0);
  });

  it('nothing is stranded while every open task still has its job', async () => {
    expect(await strandedTasks([task('a', TaskStatus.QUEUED), task('b', TaskStatus.RETRYING)], liveJobs('a', 'b'), finalise(false).isLive)).toBeNull();
  });

  it('with no open task, only a lost finalise job is queued again (alone, so verification runs and the work closes)', async () => {
    const done = [task('a', TaskStatus.SUCCEEDED), task('b', TaskStatus.FAILED)];
    expect(await strandedTasks(done, liveJobs(), finalise(true).isLive)).toBeNull();
    expect(await strandedTasks(done, liveJobs(), finalise(false).isLive)).toEqual([]);
    expect(await strandedTasks([], liveJobs(), finalise(false).isLive)).toEqual([]);
  });

  it("tasks queued alone (the recreation sweep's, on a closed request): the lost ones are queued again; with none open, nothing (no parent to queue)", async () => {
    const lost = [task('a', TaskStatus.QUEUED), task('b', TaskStatus.SUCCEEDED)];
    expect((await strandedTasks(lost, liveJobs(), null))?.map((t) => t.id)).toEqual(['a']);
    expect(await strandedTasks(lost, liveJobs('a'), null)).toBeNull();
    expect(await strandedTasks([task('b', TaskStatus.SUCCEEDED), task('c', TaskStatus.FAILED)], liveJobs(), null)).toBeNull();
    expect(await strandedTasks([], liveJobs(), null)).toBeNull();
  });

  it("R2: a rejected or cancelled request's lost tasks are failed with REQUEST_REJECTED instead of queued again; any other request's are queued", () => {
    expect(withdrawnReason(RequestStatus.REJECTED)).toBe('REQUEST_REJECTED: the request is REJECTED; the record was left as it is (R2)');
    expect(withdrawnReason(RequestStatus.CANCELLED)).toBe('REQUEST_REJECTED: the request is CANCELLED; the record was left as it is (R2)');
    for (const status of [RequestStatus.COMPLETED, RequestStatus.PARTIALLY_COMPLETED, RequestStatus.EXECUTING, undefined, null]) {
      expect(withdrawnReason(status)).toBeNull();
    }
  });

  it('tasks queued again get fresh job ids, so a failed or completed job of the same id does not swallow them', () => {
    const gone = [task('a', TaskStatus.QUEUED, 'a-retry-1'), task('b', TaskStatus.QUEUED)];
    expect(stampRequeued(gone, 1700)).toBe('q1700');
    expect(gone.map((t) => t.job_id)).toEqual(['a-requeue-1700', 'b-requeue-1700']);
  });
});
