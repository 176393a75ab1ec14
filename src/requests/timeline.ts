// A request's timeline: its status changes (with their reasons) and the audit entries
// about it (who acted, with what outcome), in one list oldest first. Pure: the rows are
// read elsewhere.

export interface TimelineTransition {
  from: string | null;
  to: string;
  event: string;
  actor: string;
  at: Date;
  reason: string | null;
}

export interface TimelineAuditEntry {
  seq: string;
  at: Date;
  actorId: string;
  actorKind: string;
  action: string;
  outcome: string;
}

export type TimelineEntry =
  | {
      kind: 'TRANSITION';
      at: Date;
      actor: string;
      actorKind: null;
      what: string;
      from: string | null;
      to: string;
      reason: string | null;
      outcome: null;
      auditSeq: null;
    }
  | { kind: 'AUDIT'; at: Date; actor: string; actorKind: string; what: string; from: null; to: null; reason: null; outcome: string; auditSeq: string };

/**
 * Both lists merged by time. At the same instant a transition comes before the audit
 * entry recording it (they are written in one transaction, the transition first);
 * audit entries keep their chain order.
 */
export function mergeTimeline(transitions: readonly TimelineTransition[], audit: readonly TimelineAuditEntry[]): TimelineEntry[] {
  const entries: TimelineEntry[] = [
    ...transitions.map((t) => ({
      kind: 'TRANSITION' as const,
      at: t.at,
      actor: t.actor,
      actorKind: null,
      what: t.event,
      from: t.from,
      to: t.to,
      reason: t.reason,
      outcome: null,
      auditSeq: null,
    })),
    ...audit.map((a) => ({
      kind: 'AUDIT' as const,
      at: a.at,
      actor: a.actorId,
      actorKind: a.actorKind,
      what: a.action,
      from: null,
      to: null,
      reason: null,
      outcome: a.outcome,
      auditSeq: a.seq,
    })),
  ];
  const rank = (e: TimelineEntry) => (e.kind === 'TRANSITION' ? 0 : 1);
  // Array.prototype.sort is stable: same-kind entries at one instant keep their order.
  return entries.sort((a, b) => a.at.getTime() - b.at.getTime() || rank(a) - rank(b));
}
