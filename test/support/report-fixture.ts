// Requests as they stand after being handled, written straight into the tables with the
// dates a report test needs (receipt, acknowledgement, answer), which the API would stamp
// with the present moment.
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';

export interface HandledRequest {
  type?: string;
  channel?: string | null;
  jurisdiction?: string;
  status: string;
  receivedAt: Date;
  acknowledgeBy?: Date;
  acknowledgedAt?: Date | null;
  dueAt?: Date | null;
  extendedDueAt?: Date | null;
  /** Status moves after receipt, in order. */
  moves?: { from: string; to: string; at: Date }[];
  tasks?: { sourceId: string; status: string }[];
  retained?: { sourceId: string; basis: string }[];
  discovery?: { sourceId: string; status: string }[];
}

const DAY = 86_400_000;
export const daysAfter = (d: Date, days: number): Date => new Date(d.getTime() + days * DAY);

export async function insertHandledRequest(db: DataSource, r: HandledRequest): Promise<string> {
  const id = randomUUID();
  await db.transaction(async (m) => {
    await m.query(
      `INSERT INTO data_subject_request (id, type, status, received_at, verified_at, acknowledge_by, acknowledged_at, due_at, extended_due_at,
         jurisdiction, channel, blind_index, discovery_outcome, created_by, version)
       VALUES ($1, $2, $3, $4, $4, $5, $6, $7, $8, $9, $10, '{}', $11, 'test', 1)`,
      [
        id,
        r.type ?? 'ACCESS',
        r.status,
        r.receivedAt,
        r.acknowledgeBy ?? daysAfter(r.receivedAt, 7),
        r.acknowledgedAt ?? null,
        r.dueAt === undefined ? daysAfter(r.receivedAt, 30) : r.dueAt,
        r.extendedDueAt ?? null,
        r.jurisdiction ?? 'GB',
        r.channel === undefined ? 'EMAIL' : r.channel,
        r.discovery
          ? JSON.stringify({
              complete: r.discovery.every((s) => s.status === 'ANSWERED'),
              sources: r.discovery.map((s) => ({ ...s, errorCode: null, records: 0 })),
            })
          : null,
      ],
    );
    await m.query(`INSERT INTO request_transition (request_id, from_status, to_status, event, actor, at) VALUES ($1, NULL, 'RECEIVED', 'submit', 'test', $2)`, [
      id,
      r.receivedAt,
    ]);
    for (const move of r.moves ?? []) {
      await m.query(`INSERT INTO request_transition (request_id, from_status, to_status, event, actor, at) VALUES ($1, $2, $3, 'test', 'test', $4)`, [
        id,
        move.from,
        move.to,
        move.at,
      ]);
    }
    let n = 0;
    for (const t of r.tasks ?? []) {
      await m.query(`INSERT INTO task (request_id, source_id, record_id, action, status) VALUES ($1, $2, $3, 'ERASE', $4)`, [
        id,
        t.sourceId,
        `rec-${n++}`,
        t.status,
      ]);
    }
    for (const k of r.retained ?? []) {
      await m.query(
        `INSERT INTO record_decision (request_id, source_id, record_id, action, computed_action, basis, reason) VALUES ($1, $2, $3, 'RETAIN', 'RETAIN', $4, 'kept by law')`,
        [id, k.sourceId, `kept-${n++}`, k.basis],
      );
    }
  });
  return id;
}
