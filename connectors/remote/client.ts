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
import { Capability, type IdentifierType, type SourceKind } from '../../src/domain/vocabulary.js';
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
    if (answer.kind !== this.kind) throw new ConnectorError('CONFIGURATION', `remote connector is ${answer.kind}, registered as ${this.kind}`);
    this.described = answer;
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
    const { answers } = await this.call<{ answers: SourceRecord[][] }>('discover', { queries });
    if (!Array.isArray(answers) || answers.length !== queries.length) throw new ConnectorError('UNAVAILABLE', 'remote answered a different number of queries');
    return answers;
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
    return page;
  }

  async export(refs: RecordRef[]): Promise<SourceRecord[]> {
    return (await this.call<{ records: SourceRecord[] }>('export', { refs })).records;
  }

  async correct(ref: RecordRef, changes: FieldChange[]): Promise<ActionResult> {
    return (await this.call<{ result: ActionResult }>('correct', { ref, changes })).result;
  }

  async erase(ref: RecordRef, plan: ErasurePlan): Promise<ActionResult> {
    return (await this.call<{ result: ActionResult }>('erase', { ref, plan })).result;
  }

  async restrict(ref: RecordRef, on: boolean): Promise<ActionResult> {
    return (await this.call<{ result: ActionResult }>('restrict', { ref, on })).result;
  }

  async eraseMany(items: ErasureItem[]): Promise<ActionResult[]> {
    return this.batchResults(await this.call<{ results: ActionResult[] }>('erase-many', { items }), items.length);
  }

  async restrictMany(refs: RecordRef[], on: boolean): Promise<ActionResult[]> {
    return this.batchResults(await this.call<{ results: ActionResult[] }>('restrict-many', { refs, on }), refs.length);
  }

  private batchResults(answer: { results: ActionResult[] }, expected: number): ActionResult[] {
    if (!Array.isArray(answer.results) || answer.results.length !== expected)
      throw new ConnectorError('UNAVAILABLE', 'remote answered a different number of items');
    return answer.results;
  }

  async health(): Promise<Health> {
    const started = Date.now();
    try {
      if (!this.described) await this.connect();
      const { health } = await this.call<{ health: Health }>('health', {});
      return { ...health, latencyMs: Date.now() - started };
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
    let json: { error?: { code?: string; message?: string; reason?: string; retryAfterMs?: number } } & T;
    try {
      json = JSON.parse(text);
    } catch {
      throw new ConnectorError('UNAVAILABLE', `remote source answered ${status} without JSON`);
    }
    if (status >= 200 && status < 300) return json;
    const error = json.error ?? {};
    if (status === 401) throw new ConnectorError('CONFIGURATION', `remote source rejected the signature (${error.reason ?? 'unauthenticated'})`);
    const code = CODES.has(error.code as ConnectorErrorCode) ? (error.code as ConnectorErrorCode) : 'UNAVAILABLE';
    throw new ConnectorError(code, error.message ?? `remote source answered ${status}`, error.retryAfterMs);
  }
}
