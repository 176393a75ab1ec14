// Which decisions become queued work: every source-changing action, and the second step a
// decision carries (a restriction under legal hold, R8; an erasure after release, R16).
import { describe, expect, it } from 'vitest';
import { erasedByPlan, plannedTasks, stillPlanned } from '../../../src/execution/task-plan.js';

const d = (recordId: string, action: string, followUpAction: string | null = null) => ({ sourceId: 's', recordId, action, followUpAction });

describe('plannedTasks', () => {
  it('RELEASE and RETAIN need no task; source-changing actions get one each, once', () => {
    expect(plannedTasks([d('1', 'RELEASE'), d('2', 'RETAIN'), d('3', 'ERASE'), d('3', 'ERASE'), d('4', 'CORRECT')])).toEqual([
      { sourceId: 's', recordId: '3', action: 'ERASE' },
      { sourceId: 's', recordId: '4', action: 'CORRECT' },
    ]);
  });

  it('R8: a record kept under legal hold is restricted', () => {
    expect(plannedTasks([d('1', 'RETAIN', 'RESTRICT')])).toEqual([{ sourceId: 's', recordId: '1', action: 'RESTRICT' }]);
  });

  it('R16: a child’s record is erased after its copy, released or withheld by a handler; an erasure follow-up goes with the copy only', () => {
    expect(plannedTasks([d('1', 'RELEASE', 'ERASE')])).toEqual([{ sourceId: 's', recordId: '1', action: 'ERASE' }]);
    expect(plannedTasks([d('2', 'RETAIN', 'ERASE')])).toEqual([{ sourceId: 's', recordId: '2', action: 'ERASE' }]);
    expect(plannedTasks([d('3', 'RESTRICT', 'ERASE')])).toEqual([{ sourceId: 's', recordId: '3', action: 'RESTRICT' }]);
  });
});

describe('erasedByPlan (what a request tombstones besides the person, R10)', () => {
  it('R16: the records a plan destroys or strips, once each, whatever the request; restrictions and corrections erase nothing', () => {
    const planned = plannedTasks([
      d('1', 'RELEASE', 'ERASE'),
      d('2', 'RELEASE'),
      d('3', 'RESTRICT'),
      d('4', 'ANONYMISE', 'RESTRICT'),
      d('5', 'CORRECT'),
      d('6', 'MINIMISE'),
    ]);
    expect(erasedByPlan(planned)).toEqual([
      { sourceId: 's', recordId: '1' },
      { sourceId: 's', recordId: '4' },
      { sourceId: 's', recordId: '6' },
    ]);
    expect(erasedByPlan(plannedTasks([d('1', 'RESTRICT'), d('2', 'RETAIN', 'RESTRICT'), d('3', 'ANNOTATE')]))).toEqual([]);
  });
});

describe('stillPlanned (what a retry queues again and the answer counts)', () => {
  const task = (recordId: string, action: string) => ({ source_id: 's', record_id: recordId, action });

  it('R13: a task whose record was withheld since (its decision now RETAIN) is no longer planned; the others are', () => {
    const tasks = [task('r1', 'ERASE'), task('r2', 'ANONYMISE'), task('r3', 'RESTRICT')];
    const decisions = [d('r1', 'ERASE'), d('r2', 'RETAIN'), d('r3', 'RETAIN', 'RESTRICT')];
    expect(stillPlanned(tasks, decisions).map((t) => t.record_id)).toEqual(['r1', 'r3']);
  });

  it('R16: a child’s erasure after release withheld loses its follow-up; a recreated record with no decision keeps its task', () => {
    const tasks = [task('r1', 'ERASE'), task('swept', 'ERASE')];
    expect(stillPlanned(tasks, [d('r1', 'RETAIN')]).map((t) => t.record_id)).toEqual(['swept']);
    expect(stillPlanned(tasks, [d('r1', 'RELEASE', 'ERASE')]).map((t) => t.record_id)).toEqual(['r1', 'swept']);
  });
});
