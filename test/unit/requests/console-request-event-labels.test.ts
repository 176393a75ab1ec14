import { describe, expect, it } from 'vitest';
import { RECORDED_EVENTS } from '../../../src/requests/state-machine.js';
import { REQUEST_EVENT_LABELS, requestEventLabel } from '../../../src/console/src/components/audit-labels.js';

// A request's timeline shows each status change's event in words from the console's own table
// (it may not import server code). A stored transition carries only RECORDED_EVENTS (submission
// and the state machine's events), so the table must hold exactly those: an event added to the
// state machine without a label fails here.
describe("the console's labels of request events", () => {
  it('label every event a stored transition can carry, and nothing else', () => {
    expect(RECORDED_EVENTS.filter((e) => !(e in REQUEST_EVENT_LABELS))).toEqual([]);
    expect(Object.keys(REQUEST_EVENT_LABELS).filter((e) => !(RECORDED_EVENTS as readonly string[]).includes(e))).toEqual([]);
  });

  it('are words, one per event', () => {
    const labels = Object.values(REQUEST_EVENT_LABELS);
    expect(new Set(labels).size).toBe(labels.length);
    for (const label of labels) expect(label).toMatch(/^[A-Z][^.]*[a-z)]$/);
  });

  it('fall back to the event as written for a name they do not know', () => {
    expect(requestEventLabel('verifyIdentity')).toBe(REQUEST_EVENT_LABELS['verifyIdentity']);
    expect(requestEventLabel('submit')).toBe(REQUEST_EVENT_LABELS['submit']);
    expect(requestEventLabel('reopen')).toBe('reopen');
  });
});
