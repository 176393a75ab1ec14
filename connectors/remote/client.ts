// The client side of the remote protocol: a Connector whose every call is a signed HTTP
// request to a team's connector router. Network failures become UNAVAILABLE so the
// gateway reports the source as unreachable instead of dropping it.
import {
  ConnectorError,
  type ActionResult,
  type Connector,
  type ConnectorErrorCode,
  type DiscoveryQuery,
  type ErasureItem,
  type ErasurePlan,
  type ExpiredPage,
  type FieldChange,
  type Health,
  type NameCount,
  type NameFrequencies,
  type RecordRef,
  type SourceDescription,
  type SourceRecord,
} from '../contract.js';
import { Capability, IdentifierType, isSpecialCategory, SourceKind } from '../../src/domain/vocabulary.js';
import type { LookupFunction } from 'node:net';
import { signedHeaders } from './signing.js';
import { postJson, postJsonWithFetch, type PostReply } from './transport.js';

export interface RemoteConnectorOptions {
  /** Where the router is mounted, e.g. https://payroll.example.org/connector */
  baseUrl: string;
  secret: string;
  kind: SourceKind;
  name: string;
  timeoutMs?: number;
  /** Send through this fetch instead of node:http (a proxy, a custom transport). */
  fetch?: typeof fetch;
  /** Resolves the host at connect time (the gateway passes one that checks its destination policy). */
  lookup?: LookupFunction;
  /** The registration's limit on what the gateway may ask of this source; unset: what it describes. */
  capabilities?: readonly Capability[];
}

interface Described {
  description: SourceDescription;
  capabilities: Capability[];
  identifierTypes: IdentifierType[];
}

const CODES = new Set<ConnectorErrorCode>(['UNAVAILABLE', 'RATE_LIMITED', 'INVALID_IDENTIFIER', 'NOT_SUPPORTED', 'CONFIGURATION']);
/** Why a router refuses a request (signing.ts VerificationFailure): the only reasons repeated. */
const SIGNATURE_REFUSALS = new Set(['MISSING_HEADERS', 'BAD_SIGNATURE', 'STALE_TIMESTAMP', 'REPLAYED_NONCE']);

export class RemoteConnector implements Connector {
  readonly kind: SourceKind;
  private described?: Described;
  private readonly base: URL;

  constructor(private readonly options: RemoteConnectorOptions) {
    this.kind = options.kind;
    this.base = new URL(options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`);
  }

  get capabilities(): readonly Capability[] {
    const offered = this.described?.capabilities ?? [Capability.DISCOVER, Capability.EXPORT, Capability.CORRECT, Capability.ERASE, Capability.RESTRICT];
    const allowed = this.options.capabilities;
    return allowed ? offered.filter((c) => allowed.includes(c)) : offered;
  }

  get identifierTypes(): readonly IdentifierType[] {
    return this.described?.identifierTypes ?? [];
  }

  /** Fetches the remote description; the registry calls it once, health() retries it. */
  async connect(): Promise<void> {
    const answer = await this.call<Described & { kind: SourceKind }>('describe', {});
    // Its kind is named only when it is one the gateway knows: the rest is the remote's words.
    const kind = (Object.values(SourceKind) as string[]).includes(answer.kind) ? answer.kind : 'of a kind the gateway does not know';
    if (answer.kind !== this.kind) throw new ConnectorError('CONFIGURATION', `remote connector is ${kind}, registered as ${this.kind}`);
    this.described = checkedDescription(answer);
  }

  /** The remote description, or a placeholder naming the source until it has been reached. */
  describe(): SourceDescription {
    return (
      this.described?.description ?? {
        kind: this.kind,
        name: this.options.name,
        fields: [],
        retention: { summary: 'unknown until the source is reached', statutory: false, erasure: 'DELETE' },
        controller: { role: 'CONTROLLER' },
      }
    );
  }

  async discover(queries: DiscoveryQuery[]): Promise<SourceRecord[][]> {
    const { answers } = await this.call<{ answers: unknown }>('discover', { queries });
    if (!Array.isArray(answers) || answers.length !== queries.length) throw new ConnectorError('UNAVAILABLE', 'remote answered a different number of queries');
    return answers.map((answer) => checkedRecords(answer, 'discover'));
  }

  /**
   * The remote connector's record count. One without it answers NOT_SUPPORTED, a router
   * older than the operation a 404 (UNAVAILABLE here): the gateway then keeps the model's λ.
   */
  async recordCount(): Promise<number> {
    const { records } = await this.call<{ records: number }>('record-count', {});
    if (typeof records !== 'number' || !Number.isFinite(records) || records < 0) throw new ConnectorError('UNAVAILABLE', 'remote answered no record count');
    return records;
  }

  /**
   * The remote connector's name counts. One without them answers NOT_SUPPORTED, a router
   * older than the operation a 404 (UNAVAILABLE here): the source then adds no names to the
   * gateway's term-frequency tables.
   */
  async nameFrequencies(limit: number): Promise<NameFrequencies> {
    const answer = await this.call<NameFrequencies>('name-frequencies', { limit });
    const counts = (list: unknown): NameCount[] => {
      if (!Array.isArray(list)) throw new ConnectorError('UNAVAILABLE', 'remote answered no name counts');
      return list.filter((n): n is NameCount => typeof n?.value === 'string' && typeof n.records === 'number' && Number.isInteger(n.records) && n.records >= 2);
    };
    const total = (n: unknown) => (typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : 0);
    return {
      givenNames: counts(answer?.givenNames).slice(0, limit),
      familyNames: counts(answer?.familyNames).slice(0, limit),
      totals: { givenNames: total(answer?.totals?.givenNames), familyNames: total(answer?.totals?.familyNames) },
    };
  }

  /**
   * The remote connector's records past retention (R9). One without it answers
   * NOT_SUPPORTED, a router older than the operation a 404 (UNAVAILABLE here): retention
   * runs then name the source as one they could not list.
   */
  async listExpired(asOf: Date, limit: number, after?: string): Promise<ExpiredPage> {
    const page = await this.call<ExpiredPage>('list-expired', { asOf: asOf.toISOString(), limit, ...(after !== undefined ? { after } : {}) });
    if (!Array.isArray(page.records) || (page.next !== null && typeof page.next !== 'string'))
      throw new ConnectorError('UNAVAILABLE', 'remote answered no page of expired records');
    return { records: checkedRecords(page.records, 'list-expired'), next: page.next };
  }

  async export(refs: RecordRef[]): Promise<SourceRecord[]> {
    return checkedRecords((await this.call<{ records: unknown }>('export', { refs })).records, 'export');
  }

  async correct(ref: RecordRef, changes: FieldChange[]): Promise<ActionResult> {
    return checkedResult((await this.call<{ result: unknown }>('correct', { ref, changes })).result);
  }

  async erase(ref: RecordRef, plan: ErasurePlan): Promise<ActionResult> {
    return checkedResult((await this.call<{ result: unknown }>('erase', { ref, plan })).result);
  }

  async restrict(ref: RecordRef, on: boolean): Promise<ActionResult> {
    return checkedResult((await this.call<{ result: unknown }>('restrict', { ref, on })).result);
  }

  async eraseMany(items: ErasureItem[]): Promise<ActionResult[]> {
    return this.batchResults(await this.call<{ results: ActionResult[] }>('erase-many', { items }), items.length);
  }

  async restrictMany(refs: RecordRef[], on: boolean): Promise<ActionResult[]> {
    return this.batchResults(await this.call<{ results: ActionResult[] }>('restrict-many', { refs, on }), refs.length);
  }

  private batchResults(answer: { results: unknown }, expected: number): ActionResult[] {
    if (!Array.isArray(answer.results) || answer.results.length !== expected)
      throw new ConnectorError('UNAVAILABLE', 'remote answered a different number of items');
    return answer.results.map(checkedResult);
  }

  async health(): Promise<Health> {
    const started = Date.now();
    try {
      if (!this.described) await this.connect();
      const { health } = await this.call<{ health: Health }>('health', {});
      // Only whether it is healthy: its own detail is its words, not the gateway's.
      const healthy = health?.healthy === true;
      return { healthy, latencyMs: Date.now() - started, ...(healthy ? {} : { detail: 'the remote source reports itself unhealthy' }) };
    } catch (error) {
      return { healthy: false, latencyMs: Date.now() - started, detail: error instanceof ConnectorError ? `${error.code}: ${error.message}` : 'unreachable' };
    }
  }

  async close(): Promise<void> {}

  private async call<T>(operation: string, payload: unknown): Promise<T> {
    const url = new URL(operation, this.base);
    const body = JSON.stringify(payload);
    const headers = signedHeaders('POST', url.pathname, body, this.options.secret);
    const timeoutMs = this.options.timeoutMs ?? 10_000;
    let reply: PostReply;
    try {
      reply = this.options.fetch
        ? await postJsonWithFetch(this.options.fetch, url, headers, body, timeoutMs)
        : await postJson(url, headers, body, timeoutMs, this.options.lookup);
    } catch {
      throw new ConnectorError('UNAVAILABLE', `remote source unreachable (${operation})`);
    }
    const { status, text } = reply;
    let json: { error?: { code?: unknown; reason?: unknown; retryAfterMs?: unknown } } & T;
    try {
      json = JSON.parse(text);
    } catch {
      throw new ConnectorError('UNAVAILABLE', `remote source answered ${status} without JSON (${operation})`);
    }
    if (status >= 200 && status < 300) {
      if (!json || typeof json !== 'object') throw new ConnectorError('UNAVAILABLE', `remote source answered no object (${operation})`);
      return json;
    }
    // The remote's own words (its message) are not carried on: they may hold personal data,
    // and whatever the gateway keeps of a failure (task, log, GraphQL) takes only its code.
    const error = json?.error ?? {};
    if (status === 401) {
      const reason = SIGNATURE_REFUSALS.has(error.reason as string) ? (error.reason as string) : 'unauthenticated';
      throw new ConnectorError('CONFIGURATION', `remote source rejected the signature (${reason})`);
    }
    const code = CODES.has(error.code as ConnectorErrorCode) ? (error.code as ConnectorErrorCode) : 'UNAVAILABLE';
    const retryAfterMs =
      typeof error.retryAfterMs === 'number' && Number.isFinite(error.retryAfterMs) && error.retryAfterMs >= 0 ? error.retryAfterMs : undefined;
    throw new ConnectorError(code, `remote source answered ${code} (HTTP ${status}) to ${operation}`, retryAfterMs);
  }
}

const OUTCOMES: ReadonlySet<string> = new Set(['APPLIED', 'ALREADY_APPLIED', 'NOT_FOUND', 'REFUSED']);

/**
 * A remote's answer to a write, as the gateway keeps it: one of the contract's outcomes, and
 * of its detail only a leading code (`LEGAL_HOLD: …` keeps LEGAL_HOLD). The rest is the
 * remote's own words, which may hold personal data and would reach the task and its audit.
 */
function checkedResult(result: unknown): ActionResult {
  const r = result as { outcome?: unknown; detail?: unknown } | null;
  if (!r || typeof r.outcome !== 'string' || !OUTCOMES.has(r.outcome)) throw new ConnectorError('UNAVAILABLE', 'remote answered no known outcome');
  const code = typeof r.detail === 'string' ? /^[A-Z][A-Z0-9_]{1,39}(?=:|$)/.exec(r.detail)?.[0] : undefined;
  return { outcome: r.outcome as ActionResult['outcome'], ...(code ? { detail: code } : {}) };
}

/** Record ids the gateway stores and shows: printable text of a bounded length. */
const RECORD_ID = /^\P{Cc}{1,200}$/u;

/** A remote's list of records, refused whole (UNAVAILABLE) when one is not a record the contract describes. */
function checkedRecords(list: unknown, operation: string): SourceRecord[] {
  const ok = (r: unknown): r is SourceRecord => {
    const x = r as Partial<SourceRecord> | null;
    return (
      !!x &&
      typeof x === 'object' &&
      typeof x.recordId === 'string' &&
      RECORD_ID.test(x.recordId) &&
      typeof x.recordType === 'string' &&
      Array.isArray(x.identifiers) &&
      (x.data === undefined || (typeof x.data === 'object' && x.data !== null && !Array.isArray(x.data))) &&
      (x.parentRecordId === undefined || x.parentRecordId === null || (typeof x.parentRecordId === 'string' && RECORD_ID.test(x.parentRecordId)))
    );
  };
  if (!Array.isArray(list) || !list.every(ok)) throw new ConnectorError('UNAVAILABLE', `remote answered a malformed record (${operation})`);
  return list;
}

/** What a remote describes, refused (CONFIGURATION) unless its lists hold what the contract names. */
function checkedDescription(answer: Described): Described {
  const known = <T extends string>(list: unknown, values: readonly T[]): list is T[] =>
    Array.isArray(list) && list.every((v) => (values as readonly unknown[]).includes(v));
  const d = answer.description as Partial<SourceDescription> | undefined;
  const ok =
    known(answer.capabilities, Object.values(Capability)) &&
    known(answer.identifierTypes, Object.values(IdentifierType)) &&
    !!d &&
    typeof d === 'object' &&
    Array.isArray(d.fields) &&
    d.fields.every((f) => !!f && typeof f.field === 'string' && typeof f.recordType === 'string' && Array.isArray(f.categories)) &&
    !!d.retention &&
    typeof d.retention === 'object' &&
    !!d.controller &&
    typeof d.controller === 'object';
  if (!ok) throw new ConnectorError('CONFIGURATION', 'remote answered a malformed description');
  // R12: a field is special when the remote says so or any of its categories is: the flag
  // is derived from the categories, not taken on the remote's word (nor missing).
  const fields = d.fields!.map((f) => ({ ...f, special: f.special === true || f.categories.some(isSpecialCategory) }));
  return { description: { ...answer.description, fields }, capabilities: answer.capabilities, identifierTypes: answer.identifierTypes };
}
