import { describe, expect, it } from 'vitest';
import { AuditAction, REFUSED_OPERATION_PREFIX } from '../../../src/audit/audit-actions.js';
import { AUDIT_ACTION_LABELS, auditActionLabel } from '../../../src/console/src/components/audit-labels.js';

// The console shows an audit entry's action in words from its own table (it may not import
// server code). AuditLog.record takes only AuditAction's names (and refusals), so the table
// must hold exactly those: an action added on the server without a label fails here.
describe("the console's labels of audit actions", () => {
  it('label every action the gateway records, and nothing else', () => {
    const written = Object.values(AuditAction);
    expect(written.filter((a) => !(a in AUDIT_ACTION_LABELS))).toEqual([]);
    expect(Object.keys(AUDIT_ACTION_LABELS).filter((a) => !(written as string[]).includes(a))).toEqual([]);
  });

  it('are words, one per action', () => {
    const labels = Object.values(AUDIT_ACTION_LABELS);
    expect(new Set(labels).size).toBe(labels.length);
    for (const label of labels) expect(label).toMatch(/^[A-Z][^.]*[a-z)]$/);
  });

  it('name a refused operation by its field, and fall back to the action as written for a name they do not know', () => {
    expect(auditActionLabel(AuditAction.REQUEST_FAIL_STRANDED)).toBe(AUDIT_ACTION_LABELS['request.fail-stranded']);
    expect(auditActionLabel(`${REFUSED_OPERATION_PREFIX}executeRequest`)).toBe('Refused: executeRequest');
    expect(auditActionLabel('request.read')).toBe('request.read');
  });
});
