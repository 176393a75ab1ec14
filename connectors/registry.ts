// Turns a registration (SourceConfig) into a live Connector. Secrets are read here, from
// the environment variables the config names, and nowhere else.
import { readFile } from 'node:fs/promises';
import type { LookupFunction } from 'node:net';
import { parse as parseYaml } from 'yaml';
import {
  ConnectorError,
  type Connector,
  type ControllerPolicy,
  type ProcessingDescription,
  type RetentionPolicy,
  type SourceDescription,
  type SourceRecord,
} from './contract.js';
import type { Capability, IdentifierType } from '../src/domain/vocabulary.js';
import type { CountryCode } from 'libphonenumber-js';
import { isEmptyQuery, minimiseQuery } from '../src/identity/minimise.js';
import { createBuiltinConnector } from './builtin.js';
import { SqlConnector } from './sql/connector.js';
import { RemoteConnector } from './remote/client.js';
import { DESCRIPTION_CHANGED, describesOtherwise, type ApprovedDescription } from './remote/approved-description.js';
import { SourceConfigError, parseSourceConfig, sourceIdOf, type SourceConfig } from './source-config.js';

export * from './source-config.js';

export interface ConnectorEnv {
  /** Where secrets are read from (default process.env). */
  vars?: Record<string, string | undefined>;
  /** The gateway's database: SQL sources keep their key index there. */
  gatewayDatabaseUrl?: string;
  /** Default footage directory for a built-in system that keeps footage files, when its config gives none. */
  footageDir?: string;
  fetch?: typeof fetch;
  /** A name resolution for remote sources' sockets, given the port (the gateway checks each address). */
  lookupFor?: (port: number) => LookupFunction;
}

function secret(env: ConnectorEnv, variable: string, field: string): string {
  const value = (env.vars ?? process.env)[variable];
  if (!value) throw new SourceConfigError(field, `environment variable ${variable} is not set`);
  return value;
}

function databaseUrl(env: ConnectorEnv, c: { url?: string; urlEnv?: string; passwordEnv?: string }): string {
  const raw = c.urlEnv ? secret(env, c.urlEnv, 'connection.urlEnv') : c.url!;
  if (!c.passwordEnv) return raw;
  const url = new URL(raw);
  url.password = encodeURIComponent(secret(env, c.passwordEnv, 'connection.passwordEnv'));
  return url.toString();
}

/** How long a remote's description, once found as approved, is trusted before it is read again (health reads it every time). */
const RECHECK_DESCRIPTION_MS = 60_000;

/** Pins a remote source to what was approved: its description, and a report of a change to it. */
export interface Pinned {
  approved: ApprovedDescription;
  /** The remote describes itself otherwise than approved: what it describes now (ids and codes only are logged). */
  onChanged: (live: { description: SourceDescription; capabilities: Capability[]; identifierTypes: IdentifierType[] }) => void;
}

/**
 * Applies a registration's retention and controller overrides to what the connector
 * describes, and sends discovery only the identifier types the source is searchable by.
 * A pinned (remote) source is described as approved, and used only while what it
 * describes live is that: otherwise every call fails (CONFIGURATION) and the change is reported.
 */
class DescribedConnector implements Connector {
  // Optional capabilities only where the connector has them: the gateway checks for their presence.
  readonly recordCount?: Connector['recordCount'];
  readonly nameFrequencies?: Connector['nameFrequencies'];
  readonly eraseMany?: Connector['eraseMany'];
  readonly restrictMany?: Connector['restrictMany'];
  readonly sharedWith?: Connector['sharedWith'];
  readonly changedSince?: Connector['changedSince'];
  readonly purgeExpired?: Connector['purgeExpired'];
  readonly listExpired?: Connector['listExpired'];
  readonly refreshIndex?: Connector['refreshIndex'];
  readonly findPresent?: Connector['findPresent'];
  readonly connect?: Connector['connect'];

  constructor(
    private readonly inner: Connector,
    private readonly name: string,
    private readonly retention?: Partial<RetentionPolicy>,
    private readonly controller?: ControllerPolicy,
    private readonly processing?: ProcessingDescription,
    /** Approved identifier types (what the source declared at registration); its live declaration when absent. */
    private readonly searchableBy?: readonly IdentifierType[],
    private readonly pinned?: Pinned,
    /** A remote registered for one client (defaultControllerId): the only controller its records may name. */
    private readonly recordsHeldFor?: string,
  ) {
    // Each call looks the method up on the connector again, as the other methods do; a
    // pinned source's description is checked first.
    const checked =
      <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
      async (...args: A) => {
        await this.checkDescription();
        return call(...args);
      };
    if (inner.recordCount) this.recordCount = checked(() => inner.recordCount!());
    if (inner.nameFrequencies) this.nameFrequencies = checked((limit) => inner.nameFrequencies!(limit));
    if (inner.eraseMany) this.eraseMany = checked((items) => inner.eraseMany!(items));
    if (inner.restrictMany) this.restrictMany = checked((refs, on) => inner.restrictMany!(refs, on));
    if (inner.sharedWith) this.sharedWith = checked((refs) => inner.sharedWith!(refs));
    if (inner.changedSince) this.changedSince = checked((since, limit, after) => inner.changedSince!(since, limit, after));
    if (inner.purgeExpired) this.purgeExpired = checked((now) => inner.purgeExpired!(now));
    if (inner.listExpired)
      this.listExpired = checked(async (asOf, limit, after) => {
        const page = await inner.listExpired!(asOf, limit, after);
        return { ...page, records: this.heldForItsClient(page.records, 'list-expired') };
      });
    if (inner.refreshIndex) this.refreshIndex = checked(() => inner.refreshIndex!());
    if (inner.findPresent) this.findPresent = checked((query) => inner.findPresent!(query));
    if (inner.connect) this.connect = pinned ? () => this.checkDescription(true) : () => inner.connect!();
    this.export = checked(this.export);
    this.correct = checked(this.correct);
    this.erase = checked(this.erase);
    this.restrict = checked(this.restrict);
  }

  private checkedAt = 0;
  private checking: Promise<void> | null = null;

  /**
   * A pinned source's live description, read again (at most once per RECHECK_DESCRIPTION_MS
   * unless `now`) and compared with the approved one: a difference is reported and fails the
   * call. Concurrent calls share one reading.
   */
  private checkDescription(now = false): Promise<void> {
    const pinned = this.pinned;
    if (!pinned) return Promise.resolve();
    if (!now && Date.now() - this.checkedAt < RECHECK_DESCRIPTION_MS) return Promise.resolve();
    this.checking ??= (async () => {
      try {
        this.checkedAt = 0;
        await this.inner.connect?.();
        const live = { description: this.overlaid(this.inner.describe()), capabilities: [...this.inner.capabilities] };
        if (describesOtherwise(pinned.approved, live)) {
          pinned.onChanged({ ...live, identifierTypes: [...this.inner.identifierTypes] });
          throw new ConnectorError(
            'CONFIGURATION',
            `${DESCRIPTION_CHANGED}: the remote describes itself otherwise than approved; the change waits for approval`,
          );
        }
        this.checkedAt = Date.now();
      } finally {
        this.checking = null;
      }
    })();
    return this.checking;
  }

  get kind() {
    return this.inner.kind;
  }
  /** A pinned source's approved capabilities it still offers (never one it offers since). */
  get capabilities() {
    const live = this.inner.capabilities;
    return this.pinned ? this.pinned.approved.capabilities.filter((c) => live.includes(c)) : live;
  }
  get identifierTypes(): readonly IdentifierType[] {
    const live = this.inner.identifierTypes;
    return this.searchableBy?.length ? live.filter((t) => this.searchableBy!.includes(t)) : live;
  }
  describe(): SourceDescription {
    // Copied: a caller may not change what was approved.
    if (this.pinned) return structuredClone(this.pinned.approved.description);
    return this.overlaid(this.inner.describe());
  }
  private overlaid(d: SourceDescription): SourceDescription {
    return {
      ...d,
      name: this.name,
      retention: { ...d.retention, ...this.retention },
      controller: this.controller ?? d.controller,
      ...((this.processing ?? d.processing) ? { processing: this.processing ?? d.processing } : {}),
    };
  }
  /** Data minimisation: each query is cut to the declared identifier types; an empty one is not sent. */
  discover: Connector['discover'] = async (queries) => {
    // A remote source declares its types when first reached (and a pinned one is checked).
    if (this.pinned) await this.checkDescription();
    else if (this.inner.connect && this.inner.identifierTypes.length === 0) await this.inner.connect();
    const types = this.identifierTypes;
    const minimised = queries.map((q) => minimiseQuery(q, types));
    const asked = minimised.filter((q) => !isEmptyQuery(q));
    const answers = asked.length ? (await this.inner.discover(asked)).map((list) => this.heldForItsClient(list, 'discover')) : [];
    let next = 0;
    return minimised.map((q): SourceRecord[] => (isEmptyQuery(q) ? [] : (answers[next++] ?? [])));
  };
  /**
   * Only the records asked for, each once: an answer holding another record (someone
   * else's) would otherwise be released in this person's access copy or tombstoned as theirs.
   */
  export: Connector['export'] = async (refs) => {
    const asked = new Set(refs.map((r) => r.recordId));
    const records = this.heldForItsClient(await this.inner.export(refs), 'export');
    return records.filter((record) => asked.delete(record.recordId));
  };
  /**
   * R6: a remote registered as holding every record for one client may not say a record is
   * another client's: that client's handlers would see the request and could have the record
   * returned to them. Such an answer fails the call, as a malformed record does; the
   * controller it named (the remote's words) is not repeated.
   */
  private heldForItsClient(records: SourceRecord[], operation: string): SourceRecord[] {
    const client = this.recordsHeldFor;
    if (client && records.some((r) => r.controllerId != null && r.controllerId !== client))
      throw new ConnectorError('UNAVAILABLE', `remote answered a record of a controller it is not registered for (${operation})`);
    return records;
  }
  correct: Connector['correct'] = (r, c) => this.inner.correct(r, c);
  erase: Connector['erase'] = (r, p) => this.inner.erase(r, p);
  restrict: Connector['restrict'] = (r, on) => this.inner.restrict(r, on);
  /** A pinned source's description is read at each health check: a change shows here first. */
  health: Connector['health'] = async () => {
    const started = Date.now();
    try {
      await this.checkDescription(true);
    } catch (error) {
      const detail = error instanceof ConnectorError ? `${error.code}: ${error.message}` : 'unreachable';
      return { healthy: false, latencyMs: Date.now() - started, detail };
    }
    return this.inner.health();
  };
  close: Connector['close'] = () => this.inner.close();
}

/**
 * Builds the connector a registration describes. Validates the config (throws a
 * SourceConfigError naming the field), reads secrets from the named variables, and never
 * fails because the source is down: an unreachable source is reported by health().
 */
export async function createConnector(
  input: SourceConfig | unknown,
  env: ConnectorEnv = {},
  options: {
    searchableBy?: readonly IdentifierType[];
    /** A remote source's approved description: what it is described as and checked against (the registry's). */
    pinned?: Pinned;
    /** The source's phone country as registered (the registry resolves it); else the config's, else GB. */
    phoneCountry?: CountryCode;
  } = {},
): Promise<Connector> {
  const config = parseSourceConfig(input);
  const id = sourceIdOf(config);
  const phoneCountry = options.phoneCountry ?? (config.phoneCountry as CountryCode | undefined);
  let connector: Connector;
  switch (config.type) {
    case 'builtin': {
      const footageDir = config.connection.footageDir ?? env.footageDir;
      connector = createBuiltinConnector(config.connection.system, {
        url: databaseUrl(env, config.connection),
        schema: config.connection.schema ?? config.connection.system,
        ...(footageDir ? { footageDir } : {}),
        ...(phoneCountry ? { phoneCountry } : {}),
      });
      break;
    }
    case 'sql': {
      if (!env.gatewayDatabaseUrl)
        throw new SourceConfigError('connection', 'SQL sources need the gateway database for their key index (env.gatewayDatabaseUrl)');
      connector = new SqlConnector({
        sourceId: id,
        name: config.name,
        kind: config.kind,
        url: databaseUrl(env, config.connection),
        indexUrl: env.gatewayDatabaseUrl,
        mapping: config.mapping,
        connectTimeoutMs: config.connection.connectTimeoutMs,
        ...(config.retention ? { retention: config.retention } : {}),
        ...(phoneCountry ? { phoneCountry } : {}),
      });
      break;
    }
    case 'remote': {
      const remote = new RemoteConnector({
        baseUrl: config.connection.baseUrl,
        secret: secret(env, config.connection.secretEnv, 'connection.secretEnv'),
        kind: config.kind,
        name: config.name,
        timeoutMs: config.connection.timeoutMs,
        ...(config.connection.capabilities ? { capabilities: config.connection.capabilities } : {}),
        ...(env.fetch ? { fetch: env.fetch } : {}),
        ...(env.lookupFor ? { lookup: env.lookupFor(remotePort(config.connection.baseUrl)) } : {}),
      });
      // Reaching it now fills describe(); if it is down, health() says so and retries.
      await remote.connect().catch(() => undefined);
      connector = remote;
      break;
    }
  }
  const pinned = config.type === 'remote' ? options.pinned : undefined;
  // Only a remote's answers are untrusted; a store the gateway reads itself names its records' controllers.
  const recordsHeldFor = config.type === 'remote' ? config.controller?.defaultControllerId : undefined;
  return new DescribedConnector(connector, config.name, config.retention, config.controller, config.processing, options.searchableBy, pinned, recordsHeldFor);
}

function remotePort(baseUrl: string): number {
  const url = new URL(baseUrl);
  return Number(url.port || (url.protocol === 'https:' ? 443 : 80));
}

/** Reads a JSON or YAML file holding a list of sources (or `{ sources: [...] }`). */
export async function loadSourceConfigFile(file: string): Promise<SourceConfig[]> {
  const text = await readFile(file, 'utf8');
  let data: unknown;
  try {
    data = /\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new SourceConfigError(file, `not valid ${/\.ya?ml$/i.test(file) ? 'YAML' : 'JSON'}: ${(error as Error).message.split('\n')[0]}`);
  }
  const list = Array.isArray(data) ? data : (data as { sources?: unknown } | null)?.sources;
  if (!Array.isArray(list)) throw new SourceConfigError('sources', 'expected a list of sources');
  const configs = list.map((item, i) => parseSourceConfig(item, `sources[${i}]`));
  const seen = new Set<string>();
  configs.forEach((c, i) => {
    const id = sourceIdOf(c);
    if (seen.has(id)) throw new SourceConfigError(`sources[${i}].id`, `duplicate source id ${id}`);
    seen.add(id);
  });
  return configs;
}
