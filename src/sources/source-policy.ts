// What a source registration may make the gateway do, decided before any connection is
// made: which environment variables it may name as secrets (only those the operator set
// aside for sources, never the gateway's own), and which hosts it may point the gateway
// at (configured hosts or networks; loopback, private and link-local ranges only when
// allowed). Every registration path (GraphQL, SOURCES_FILE, the demo) and every
// connector built from a stored registration goes through these checks.
import dns from 'node:dns';
import net from 'node:net';
import type { SourceConfig } from '../../connectors/registry.js';
import { CONFIG_VARIABLES, type Config } from '../config/config.js';
import { DomainError } from '../domain/errors.js';

export interface SourcePolicy {
  /** Variables starting with this prefix may be named as a source's secret. */
  secretPrefix: string;
  /** And these (unless they are the gateway's own). */
  secretAllow: ReadonlySet<string>;
  /** Configured destinations; null: public addresses (and loopback when allowLoopback). */
  destinations: readonly DestinationRule[] | null;
  /** Loopback allowed without configuration (development and tests only). */
  allowLoopback: boolean;
  /** Name resolution (tests replace it). */
  lookup?: (host: string) => Promise<string[]>;
}

export interface DestinationRule {
  /** A host name matched as written (lower case), or null for an address rule. */
  hostname: string | null;
  /** The addresses the rule covers (one address or a network). */
  addresses: net.BlockList | null;
  port: number | null;
  text: string;
}

/** The policy the configuration describes (docs/security.md, "Trust boundaries"). */
export function sourcePolicyFromConfig(config: Config): SourcePolicy {
  const allow = (config.SOURCE_SECRET_ENV_ALLOW ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return {
    secretPrefix: config.SOURCE_SECRET_ENV_PREFIX,
    secretAllow: new Set(allow),
    destinations: config.SOURCE_ALLOWED_HOSTS ? parseDestinationRules(config.SOURCE_ALLOWED_HOSTS) : null,
    allowLoopback: !config.production,
  };
}

// ---------------------------------------------------------------------------------------
// Secrets

/** Namespaces of the gateway's own settings and of the processes it runs under. */
const GATEWAY_NAMESPACES = /^(DSR_|PG|OIDC_|NODE_|NPM_)/i;

/** True when the variable holds the gateway's own configuration or secrets. */
export function isGatewayVariable(name: string, policy: Pick<SourcePolicy, 'secretPrefix'>): boolean {
  // CONFIG_VARIABLES is read here, not at load: the configuration imports this module.
  if (CONFIG_VARIABLES.includes(name) || name === 'TEST_DATABASE_URL') return true;
  return GATEWAY_NAMESPACES.test(name) && !name.startsWith(policy.secretPrefix);
}

export function secretNameAllowed(name: string, policy: Pick<SourcePolicy, 'secretPrefix' | 'secretAllow'>): boolean {
  if (isGatewayVariable(name, policy)) return false;
  return name.startsWith(policy.secretPrefix) || policy.secretAllow.has(name);
}

/** The environment variables a registration names, with the field naming each. */
export function secretReferencesOf(config: SourceConfig): { field: string; name: string }[] {
  const c = config.connection as Record<string, unknown>;
  return (['urlEnv', 'passwordEnv', 'secretEnv'] as const)
    .filter((key) => typeof c[key] === 'string')
    .map((key) => ({ field: `connection.${key}`, name: c[key] as string }));
}

/**
 * Refuses (SOURCE_SECRET_NOT_ALLOWED, naming the field) a registration naming a variable
 * not set aside for sources. Checked before whether it is set, so the answer tells
 * nothing about the gateway's environment.
 */
export function assertSecretsAllowed(config: SourceConfig, policy: SourcePolicy): void {
  for (const { field, name } of secretReferencesOf(config)) {
    if (secretNameAllowed(name, policy)) continue;
    throw new DomainError(
      'SOURCE_SECRET_NOT_ALLOWED',
      `${field}: ${name} is not a source secret; name a variable starting with ${policy.secretPrefix} or one listed in SOURCE_SECRET_ENV_ALLOW`,
      { field },
    );
  }
}

// ---------------------------------------------------------------------------------------
// Destinations

/** Loopback, private, link-local, shared, multicast and reserved ranges: refused unless configured. */
const NON_PUBLIC = new net.BlockList();
for (const [address, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  NON_PUBLIC.addSubnet(address, prefix, 'ipv4');
for (const [address, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
] as const) {
  NON_PUBLIC.addSubnet(address, prefix, 'ipv6');
}
const LOOPBACK = new net.BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/**
 * Where no source is, whatever name points there: the gateway's own host (loopback), the
 * cloud's metadata service and other link-local hosts, "this host" and multicast. A listed
 * host name is not trusted to resolve here (its DNS may not be the operator's); only an
 * address rule that covers the address allows it.
 */
const NEVER_BY_NAME = new net.BlockList();
for (const [address, prefix] of [
  ['0.0.0.0', 8],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  NEVER_BY_NAME.addSubnet(address, prefix, 'ipv4');
for (const [address, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  NEVER_BY_NAME.addSubnet(address, prefix, 'ipv6');

/** An IPv4-mapped IPv6 address (::ffff:10.0.0.1) is checked as the IPv4 address it is. */
function plain(address: string): { address: string; family: 'ipv4' | 'ipv6' } {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return { address: mapped[1]!, family: 'ipv4' };
  return { address, family: net.isIPv4(address) ? 'ipv4' : 'ipv6' };
}

const inList = (list: net.BlockList, address: string) => {
  const a = plain(address);
  return list.check(a.address, a.family);
};

/** Parses SOURCE_ALLOWED_HOSTS: `db.internal`, `db.internal:5432`, `10.1.0.0/16`, `[::1]:5432`, `fd00::/8`. */
export function parseDestinationRules(text: string): DestinationRule[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(parseRule);
}

function parseRule(entry: string): DestinationRule {
  let target = entry;
  let port: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracketed) [, target, port] = bracketed as unknown as [string, string, string | undefined];
  else if (!net.isIPv6(entry.split('/')[0]!)) [, target, port] = /^(.*?)(?::(\d+))?$/.exec(entry) as unknown as [string, string, string | undefined];
  const [address, prefix] = target!.split('/') as [string, string | undefined];
  const rule: DestinationRule = { hostname: null, addresses: null, port: port ? Number(port) : null, text: entry };
  if (rule.port !== null && (rule.port < 1 || rule.port > 65535)) throw new Error(`SOURCE_ALLOWED_HOSTS: bad port in ${entry}`);
  const family = net.isIPv4(address) ? 'ipv4' : net.isIPv6(address) ? 'ipv6' : null;
  if (family) {
    rule.addresses = new net.BlockList();
    if (prefix === undefined) rule.addresses.addAddress(address, family);
    else {
      const bits = Number(prefix);
      if (!/^\d+$/.test(prefix) || bits > (family === 'ipv4' ? 32 : 128)) throw new Error(`SOURCE_ALLOWED_HOSTS: bad network ${entry}`);
      rule.addresses.addSubnet(address, bits, family);
    }
  } else if (prefix === undefined && /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i.test(address)) {
    rule.hostname = address.toLowerCase();
  } else {
    throw new Error(`SOURCE_ALLOWED_HOSTS: ${entry} is not a host name, address or network`);
  }
  return rule;
}

export interface Destination {
  field: string;
  host: string;
  port: number;
}

/**
 * Where a registration makes the gateway connect. `vars` resolves urlEnv (the whole URL
 * in a variable, already checked to be a source secret). Hosts a URL cannot express
 * plainly (several hosts, a socket, host= parameters) are refused.
 */
export function destinationsOf(config: SourceConfig, vars: Record<string, string | undefined>): Destination[] {
  const refuse = (field: string, why: string) => new DomainError('SOURCE_DESTINATION_NOT_ALLOWED', `${field}: ${why}`, { field });
  if (config.type === 'remote') {
    const url = new URL(config.connection.baseUrl);
    return [{ field: 'connection.baseUrl', host: bare(url.hostname), port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)) }];
  }
  const c = config.connection;
  const field = c.urlEnv ? 'connection.urlEnv' : 'connection.url';
  const raw = c.urlEnv ? vars[c.urlEnv] : c.url;
  if (!raw) return []; // an unset variable is reported by the connector build (INVALID_SOURCE_CONFIG)
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refuse(field, 'not a URL with one host');
  }
  for (const param of ['host', 'hostaddr', 'port']) {
    if (url.searchParams.has(param)) throw refuse(field, `give the host in the URL, not as ${param}=`);
  }
  if (!url.hostname) throw refuse(field, 'a host is required (sockets are not allowed)');
  return [{ field, host: bare(url.hostname), port: Number(url.port || 5432) }];
}

const bare = (hostname: string) => hostname.replace(/^\[|\]$/g, '').toLowerCase();

async function resolve(host: string, policy: SourcePolicy): Promise<string[]> {
  if (net.isIP(host)) return [host];
  if (policy.lookup) return policy.lookup(host);
  const found = await dns.promises.lookup(host, { all: true, verbatim: true });
  return found.map((a) => a.address);
}

/** Why the destination is refused, or null when it is allowed. */
export async function destinationRefusal(destination: Destination, policy: SourcePolicy): Promise<string | null> {
  const { host, port } = destination;
  const portMatches = (rule: DestinationRule) => rule.port === null || rule.port === port;
  const byAddressRule = (address: string) => policy.destinations!.some((r) => r.addresses && portMatches(r) && inList(r.addresses, address));
  if (policy.destinations?.some((r) => r.hostname === host && portMatches(r))) {
    // Listed by name: any address its DNS gives, but not one where no source is.
    const addresses = await resolve(host, policy).catch(() => [] as string[]);
    const nowhere = addresses.some((a) => inList(NEVER_BY_NAME, a) && !(policy.allowLoopback && inList(LOOPBACK, a)) && !byAddressRule(a));
    return nowhere ? `${host} resolves to a loopback, link-local or unspecified address; list that address in SOURCE_ALLOWED_HOSTS to allow it` : null;
  }
  let addresses: string[];
  try {
    addresses = await resolve(host, policy);
  } catch {
    return `${host} could not be resolved, so it cannot be checked`;
  }
  if (addresses.length === 0) return `${host} could not be resolved, so it cannot be checked`;
  if (policy.destinations) {
    const allowed = addresses.every(byAddressRule);
    return allowed ? null : `${host}:${port} is not among the allowed destinations (SOURCE_ALLOWED_HOSTS)`;
  }
  if (addresses.every((a) => !inList(NON_PUBLIC, a))) return null;
  if (policy.allowLoopback && addresses.every((a) => inList(LOOPBACK, a))) return null;
  return `${host} is a loopback, private or link-local address; allow it in SOURCE_ALLOWED_HOSTS`;
}

/** Refuses (SOURCE_DESTINATION_NOT_ALLOWED, naming the field) before any connection is made. */
export async function assertDestinationsAllowed(config: SourceConfig, policy: SourcePolicy, vars: Record<string, string | undefined>): Promise<void> {
  for (const destination of destinationsOf(config, vars)) {
    const refusal = await destinationRefusal(destination, policy);
    if (refusal) throw new DomainError('SOURCE_DESTINATION_NOT_ALLOWED', `${destination.field}: ${refusal}`, { field: destination.field });
  }
}

/** Both checks, secrets first (a destination in urlEnv is read only from an allowed variable). */
export async function assertRegistrationAllowed(config: SourceConfig, policy: SourcePolicy, vars: Record<string, string | undefined>): Promise<void> {
  assertSecretsAllowed(config, policy);
  await assertDestinationsAllowed(config, policy, vars);
}

/**
 * A `lookup` for the sockets a connector opens: the name is resolved again at connect time
 * and only addresses the policy allows are used, so a DNS answer that changed since the
 * registration was checked (DNS rebinding) cannot lead the connection elsewhere.
 */
export function guardedLookup(policy: SourcePolicy, port: number): net.LookupFunction {
  return ((hostname: string, options: dns.LookupOptions, callback: (...args: unknown[]) => void) => {
    dns.lookup(hostname, { ...options, all: true }, (error, found) => {
      if (error) return callback(error);
      void Promise.all(
        found.map(async (a) =>
          (await destinationRefusal({ field: 'connection', host: hostname.toLowerCase(), port }, { ...policy, lookup: async () => [a.address] })) ? null : a,
        ),
      ).then((checked) => {
        const allowed = checked.filter((a): a is dns.LookupAddress => a !== null);
        if (allowed.length === 0) return callback(Object.assign(new Error(`${hostname} resolves to no allowed destination`), { code: 'ENOTFOUND' }));
        if (options.all) return callback(null, allowed);
        callback(null, allowed[0]!.address, allowed[0]!.family);
      });
    });
  }) as unknown as net.LookupFunction;
}
