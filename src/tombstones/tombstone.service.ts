import type { DataSource, EntityManager } from 'typeorm';
import type { HmacKeyring } from '../crypto/index.js';
import type { IdentifierType } from '../domain/vocabulary.js';
import type { NormalisedIdentifier } from '../identity/normalise/index.js';
import { RequestStore } from '../requests/store/request.store.js';
import { lookupTokensOf, tokenPurpose, tokensOfPerson, type TombstoneToken } from './tombstone-tokens.js';

export interface TombstoneHit {
  type: IdentifierType;
  tombstoned: boolean;
  /** The erasure request that tombstoned it (the earliest the viewer may know, when several did). */
  requestId: string | null;
  /** Every erasure request that tombstoned it and the viewer may know, earliest first. */
  requestIds: string[];
}

/**
 * Who asks, for a check made on a principal's behalf: `controllerIds` null sees every
 * request; otherwise only requests of those controllers are named, and, unless
 * `everyController` (a feed's recreation guard), only their tombstones count.
 */
export interface TombstoneViewer {
  controllerIds: readonly string[] | null;
  everyController: boolean;
}

/** Writes and checks tombstones: keyed hashes only, so the table holds no clear personal data. */
export class TombstoneService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly keyring: HmacKeyring,
    /** Who owns the requests a tombstone names (their controllers decide who may know them). */
    private readonly requests: Pick<RequestStore, 'controllersOf'> = new RequestStore(dataSource),
  ) {}

  /**
   * Tombstones every token of a person for an erasure request. Idempotent per request: a
   * token another request tombstoned gets a row of this request too (each request holds its
   * own, see withdrawForRequest); the check names the earliest the caller may see. Pass `manager` to write inside the
   * transaction that approves the erasure.
   */
  async record(requestId: string, person: readonly NormalisedIdentifier[], erasedAt: Date, manager: EntityManager = this.dataSource.manager): Promise<number> {
    return this.recordAll(requestId, [person], erasedAt, manager);
  }

  /**
   * Tombstones the tokens of several identities of one erasure (the person as asked, and
   * as each matched record knows them) in one statement. Rows go in hash order, so
   * concurrent erasures that share a token lock it in the same order and never deadlock.
   */
  async recordAll(
    requestId: string,
    people: readonly (readonly NormalisedIdentifier[])[],
    erasedAt: Date,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<number> {
    const byHash = new Map<string, { kind: string; kid: string; hash: string }>();
    for (const person of people) {
      for (const t of tokensOfPerson(person)) {
        const h = this.keyring.keyedHash(null, t.value, tokenPurpose(t.kind));
        byHash.set(h.hash, { kind: t.kind, ...h });
      }
    }
    const hashes = [...byHash.values()].sort((a, b) => (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0));
    if (hashes.length === 0) return 0;
    const result: { id: string }[] = await manager.query(
      `INSERT INTO tombstone (kid, kind, hash, request_id, erased_at)
       SELECT kid, kind, hash, $4::uuid, $5::timestamptz
         FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS t(kid, kind, hash, n)
        ORDER BY n
       ON CONFLICT (hash, kid, request_id) DO NOTHING
       RETURNING id`,
      [hashes.map((h) => h.kid), hashes.map((h) => h.kind), hashes.map((h) => h.hash), requestId, erasedAt.toISOString()],
    );
    return result.length;
  }

  /**
   * Withdraws the tombstones of a request refused or withdrawn after they were written (a
   * forged identity must not block the real person): only this request's rows go, another
   * erasure of the same person keeps its own. Returns how many rows went. Pass `manager` to
   * withdraw inside the transaction that rejects or cancels the request.
   */
  async withdrawForRequest(requestId: string, manager: EntityManager = this.dataSource.manager): Promise<number> {
    const rows: { id: string }[] = await manager.query(`DELETE FROM tombstone WHERE request_id = $1 RETURNING id`, [requestId]);
    return rows.length;
  }

  /**
   * Checks people against the tombstones: one answer per identifier, in order. Each group
   * is one person (names count only together with a date of birth from the same group).
   * One indexed query for the whole batch (and one for the requests' controllers when a viewer
   * is scoped); every configured key is tried, so hashes made
   * before a key rotation still match, and every earlier normal form of a value, so those
   * made before the normalisation changed do too (lookupTokensOf). With a `viewer`, erasures outside its controllers
   * are answered as the viewer may know them (see TombstoneViewer): never their request id.
   * The scope is applied to every request's row before one is picked: a token several
   * erasures hold is named by the earliest the viewer may see, whichever is earliest overall.
   */
  async check(people: readonly (readonly NormalisedIdentifier[])[], viewer?: TombstoneViewer): Promise<TombstoneHit[][]> {
    const wanted = new Set<string>();
    const perIdentifier: { person: number; type: IdentifierType; hashes: string[] }[] = [];
    people.forEach((person, p) => {
      for (const identifier of person) {
        const hashes = lookupTokensOf(identifier, person).flatMap((t) => this.hashesOf(t));
        for (const h of hashes) wanted.add(h);
        perIdentifier.push({ person: p, type: identifier.type, hashes });
      }
    });
    const named = new Map<string, { requestId: string; erasedAt: number }[]>(); // hash -> requests the viewer may know, earliest first
    const unnamed = new Set<string>(); // hashes tombstoned only by erasures the viewer may not know, yet must be told of (a feed's guard)
    if (wanted.size > 0) {
      // Every request's row, not one per hash: which of them the viewer may see decides the answer.
      const rows: { hash: string; request_id: string; erased_at: Date }[] = await this.dataSource.query(
        `SELECT t.hash, t.request_id, t.erased_at FROM tombstone t WHERE t.hash = ANY($1::text[]) ORDER BY t.hash, t.erased_at, t.id`,
        [[...wanted]],
      );
      // A request is visible when its controllers meet the viewer's (as request(id) decides).
      const scope = viewer?.controllerIds ? new Set(viewer.controllerIds) : null;
      const controllers = scope
        ? new Map((await this.requests.controllersOf([...new Set(rows.map((r) => r.request_id))])).map((r) => [r.id, r.controllerIds]))
        : null;
      for (const row of rows) {
        const visible = !scope || (controllers!.get(row.request_id) ?? []).some((c) => scope.has(c));
        if (visible) {
          const list = named.get(row.hash) ?? [];
          if (!list.some((r) => r.requestId === row.request_id)) list.push({ requestId: row.request_id, erasedAt: new Date(row.erased_at).getTime() });
          named.set(row.hash, list);
        } else if (viewer?.everyController) unnamed.add(row.hash);
      }
    }
    const answers: TombstoneHit[][] = people.map(() => []);
    for (const item of perIdentifier) {
      // Requests of every hash of the identifier (keys, earlier forms), earliest first.
      const byRequest = new Map<string, number>();
      for (const h of item.hashes) {
        for (const r of named.get(h) ?? []) byRequest.set(r.requestId, Math.min(byRequest.get(r.requestId) ?? Infinity, r.erasedAt));
      }
      const requestIds = [...byRequest].sort((a, b) => a[1] - b[1]).map(([id]) => id);
      const tombstoned = requestIds.length > 0 || item.hashes.some((h) => unnamed.has(h));
      answers[item.person]!.push({ type: item.type, tombstoned, requestId: requestIds[0] ?? null, requestIds });
    }
    return answers;
  }

  private hashesOf(token: TombstoneToken): string[] {
    return this.keyring.keyedHashes(token.value, tokenPurpose(token.kind)).map((h) => h.hash);
  }
}
