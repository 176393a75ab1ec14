// The recreation guard's batch check: people (groups of identifiers) in, one answer per
// identifier out. A bad identifier gets its own error code; it never fails the batch.
import { DomainError } from '../domain/errors.js';
import {
  dedupeIdentifiers,
  legacyNormalForm,
  normaliseIdentifier,
  normaliseRecordIdentifiers,
  isInvalidIdentifierError,
  type NormalisedIdentifier,
  type NormaliseOptions,
} from '../identity/index.js';
import type { Identifier } from '../../connectors/contract.js';
import { can, controllerScope, enforceRateLimit, rateLimitKeyOf, type Principal, type RateLimiter } from '../auth/index.js';
import type { TombstoneService, TombstoneViewer } from './tombstone.service.js';
import type { SourceRegistry } from '../sources/source-registry.js';
import { IdentifierType } from '../domain/vocabulary.js';
import type { CountryCode } from 'libphonenumber-js';

export const MAX_IDENTIFIERS_PER_CHECK = 1000;

/**
 * What a check costs its caller's rate-limit bucket (the one every call spends from): one
 * token per `identifiersPerToken` identifiers begun, at least one, the call's own token
 * included. A check answers whether people were erased, so a key may not ask about more
 * people per minute than its budget pays for, however it batches them.
 */
export function tombstoneCheckCost(identifiers: number, identifiersPerToken: number): number {
  return Math.max(1, Math.ceil(identifiers / identifiersPerToken));
}

/** The caller's bucket a check is paid from. */
export interface CheckBudget {
  limiter: RateLimiter;
  /** The caller's bucket (rateLimitKeyOf). */
  key: string;
  identifiersPerToken: number;
  /**
   * Whether the call's own token (spent when the caller authenticated) is spent on this check:
   * true (the default) for the first check of a call; false for any further check in the same
   * call (another alias of tombstoneCheck in one GraphQL operation), which pays its whole cost.
   */
  callTokenCounts?: boolean;
  /**
   * The sizes of every check of the call, this one included, when one call makes several
   * (aliases of tombstoneCheck in one GraphQL operation): together they may not cost more
   * than a full bucket, or the call could never be paid.
   */
  callChecks?: readonly number[];
}

/** The budget of a check made by `principal`, from the gateway's limiter and TOMBSTONE_CHECK_IDENTIFIERS_PER_TOKEN. */
export function checkBudgetOf(
  services: { rateLimiter: RateLimiter; config: { TOMBSTONE_CHECK_IDENTIFIERS_PER_TOKEN: number } },
  principal: Principal,
): CheckBudget {
  return { limiter: services.rateLimiter, key: rateLimitKeyOf(principal), identifiersPerToken: services.config.TOMBSTONE_CHECK_IDENTIFIERS_PER_TOKEN };
}

/** Identifiers one check may carry: MAX_IDENTIFIERS_PER_CHECK, and no more than a full bucket pays for. */
export function maxIdentifiersPerCheck(budget?: CheckBudget): number {
  return budget ? Math.min(MAX_IDENTIFIERS_PER_CHECK, budget.limiter.capacity * budget.identifiersPerToken) : MAX_IDENTIFIERS_PER_CHECK;
}

/**
 * Refuses a check past maxIdentifiersPerCheck (TOO_MANY_IDENTIFIERS), or one of a call whose
 * checks together (CheckBudget.callChecks) cost more than a full bucket (TOO_MANY_IDENTIFIERS
 * too, nothing spent: such a call could never be paid), then spends what it costs
 * beyond the call's own token, spent when the caller authenticated, which pays for one check
 * of the call only (CheckBudget.callTokenCounts) (RATE_LIMITED, with
 * retryAfterSeconds, when the bucket lacks it: nothing is checked then).
 */
export async function payForCheck(identifiers: number, budget?: CheckBudget): Promise<void> {
  const max = maxIdentifiersPerCheck(budget);
  if (identifiers > max) {
    throw new DomainError('TOO_MANY_IDENTIFIERS', `At most ${max} identifiers per check (got ${identifiers})`, { max, got: identifiers });
  }
  if (!budget) return;
  const callCost = (budget.callChecks ?? []).reduce((sum, n) => sum + tombstoneCheckCost(n, budget.identifiersPerToken), 0);
  if (callCost > budget.limiter.capacity) {
    const got = (budget.callChecks ?? []).reduce((sum, n) => sum + n, 0);
    throw new DomainError(
      'TOO_MANY_IDENTIFIERS',
      `The checks of one operation together cost ${callCost} tokens, more than a full bucket (${budget.limiter.capacity}); at most ${max} identifiers per check, and no more than a full bucket pays for in all`,
      { max, got },
    );
  }
  const beyondTheCall = tombstoneCheckCost(identifiers, budget.identifiersPerToken) - (budget.callTokenCounts === false ? 0 : 1);
  if (beyondTheCall > 0) await enforceRateLimit(budget.limiter, budget.key, beyondTheCall);
}

export interface CheckPerson {
  ref?: string;
  identifiers: Identifier[];
}

export interface CheckAnswer {
  type: string;
  tombstoned: boolean;
  requestId: string | null;
  error?: { code: string; message: string };
}

export interface CheckResult {
  anyTombstoned: boolean;
  people: { ref?: string; tombstoned: boolean; results: CheckAnswer[] }[];
}

/**
 * What a principal may learn from a check: the request id only of erasures it could read
 * with request(id); whether a person is tombstoned at all outside its controllers only as
 * a source feed's guard (tombstone:guard), which must stop recreation in shared systems.
 */
export function tombstoneViewerOf(principal: Principal): TombstoneViewer {
  return { controllerIds: controllerScope(principal), everyController: can(principal, 'tombstone:guard') };
}

/**
 * How a check reads phone numbers written without a +prefix: in `defaultCountry`, and also in
 * each of `otherCountries` (a key bound to sources of several countries), a number being
 * tombstoned when any of its readings is.
 */
export interface CheckReading extends NormaliseOptions {
  otherCountries?: readonly CountryCode[];
}

/**
 * How a caller's phone numbers written without a +prefix are read: a key bound to sources
 * reads in their phone country (a feed asks as its source writes), and in each country they
 * were read in before (a registration that changed it: tombstones written from their records
 * hold that reading); bound to sources whose current countries differ, in the deployment's
 * default and in each of theirs, since which one wrote the number is not known and read in the
 * wrong one it is another number (the erased person would pass the guard); any other caller in
 * the deployment's default (DSR_DEFAULT_PHONE_COUNTRY). Wherever the default is read, each
 * default the deployment ran with before is read too: the requests submitted then, and their
 * tombstones, hold its reading. An identifier's own `country` wins over all.
 */
export async function checkReadingOf(
  principal: Principal,
  sources: Pick<SourceRegistry, 'phoneCountriesOf' | 'defaultPhoneCountry' | 'earlierDefaultPhoneCountries'>,
): Promise<CheckReading> {
  const bound = principal.sourceIds ?? [];
  let countries: CountryCode[];
  if (bound.length > 0) {
    const read = [...(await sources.phoneCountriesOf(bound)).values()];
    const current = new Set(read.map(([now]) => now));
    const every = [...new Set(read.flat())].sort();
    if (current.size === 1) return readingIn([...current][0]!, every);
    countries = [sources.defaultPhoneCountry, ...every];
  } else countries = [sources.defaultPhoneCountry];
  return readingIn(sources.defaultPhoneCountry, [...countries, ...(await sources.earlierDefaultPhoneCountries())]);
}

/** A reading in `defaultCountry` and in each other of `countries`. */
function readingIn(defaultCountry: CountryCode, countries: readonly CountryCode[]): CheckReading {
  const otherCountries = [...new Set(countries)].filter((c) => c !== defaultCountry);
  return otherCountries.length > 0 ? { defaultCountry, otherCountries } : { defaultCountry };
}

/**
 * How the recreation sweep reads one source's records: in its phone country, and in each
 * country it was read in before (the tombstones of its people may hold that reading).
 */
export async function sourceReadingOf(sourceId: string, sources: Pick<SourceRegistry, 'phoneCountriesOf'>): Promise<CheckReading> {
  const [defaultCountry, ...otherCountries] = (await sources.phoneCountriesOf([sourceId])).get(sourceId)!;
  return otherCountries.length > 0 ? { defaultCountry, otherCountries } : { defaultCountry };
}

/** A phone number written without its +prefix and no `country` of its own: read in every country of a reading. */
function readInEveryCountry(id: Identifier, reading: CheckReading): boolean {
  return (reading.otherCountries ?? []).length > 0 && id?.type === IdentifierType.PHONE && (id.country === undefined || id.country === null);
}

/** One identifier carrying every reading: the first, the others as its legacyForms (their tombstones are looked up too). */
function withEveryReading(readings: readonly NormalisedIdentifier[]): NormalisedIdentifier | null {
  const forms: NormalisedIdentifier[] = [];
  for (const form of readings) {
    for (const f of [form, ...(form.legacyForms ?? [])]) if (!forms.some((k) => k.value === f.value)) forms.push({ type: f.type, value: f.value });
  }
  if (forms.length === 0) return null;
  const [first, ...rest] = forms;
  return rest.length > 0 ? { ...first!, legacyForms: rest } : first!;
}

/**
 * An identifier as a check reads it: a phone number with no +prefix and no `country` of its
 * own in the reading's default country, every other country's reading kept beside it
 * (legacyForms: its tombstones are looked up too). Throws when no country reads it.
 */
function readForCheck(id: Identifier, reading: CheckReading): NormalisedIdentifier {
  if (!readInEveryCountry(id, reading)) return normaliseIdentifier(id, reading);
  const readings: NormalisedIdentifier[] = [];
  let firstError: unknown = null;
  for (const defaultCountry of [reading.defaultCountry, ...(reading.otherCountries ?? [])]) {
    try {
      readings.push(normaliseIdentifier(id, { ...reading, defaultCountry }));
    } catch (error) {
      if (!isInvalidIdentifierError(error)) throw error;
      firstError ??= error;
    }
  }
  const read = withEveryReading(readings);
  if (!read) throw firstError;
  return read;
}

/**
 * A source's record as the recreation sweep checks it (tolerant, as normaliseRecordIdentifiers):
 * a national phone number with no `country` of its own read in every country of `reading`.
 */
export function readRecordForCheck(raw: readonly Identifier[], reading: CheckReading): NormalisedIdentifier[] {
  if ((reading.otherCountries ?? []).length === 0) return normaliseRecordIdentifiers(raw, reading);
  const out: NormalisedIdentifier[] = [];
  for (const id of raw ?? []) {
    if (!readInEveryCountry(id, reading)) {
      out.push(...normaliseRecordIdentifiers([id], reading));
      continue;
    }
    const countries = [reading.defaultCountry, ...(reading.otherCountries ?? [])];
    const read = withEveryReading(countries.flatMap((defaultCountry) => normaliseRecordIdentifiers([id], { ...reading, defaultCountry })));
    if (read) out.push(read);
  }
  return dedupeIdentifiers(out);
}

/**
 * Checks people for a caller. With a `budget` (every check a client makes: GraphQL and HTTP),
 * the check is paid from the caller's bucket first (payForCheck); without one (in-process
 * callers) only the size is limited. Phone numbers without a +prefix are read as `reading`
 * says (checkReadingOf).
 */
export async function checkPeople(
  tombstones: TombstoneService,
  people: readonly CheckPerson[],
  viewer: TombstoneViewer,
  options: { reading?: CheckReading; budget?: CheckBudget } = {},
): Promise<CheckResult> {
  const reading = options.reading ?? {};
  await payForCheck(
    people.reduce((n, p) => n + p.identifiers.length, 0),
    options.budget,
  );
  const valid: NormalisedIdentifier[][] = [];
  const slots: (CheckAnswer | number)[][] = [];
  for (const person of people) {
    const ok: NormalisedIdentifier[] = [];
    slots.push(
      person.identifiers.map((id) => {
        try {
          ok.push(readForCheck(id, reading));
          return ok.length - 1;
        } catch (error) {
          if (!isInvalidIdentifierError(error)) throw error;
          // Unreadable in today's form, but read by the previous release (or kept mangled from
          // a source): a tombstone of it is of that form, so it is checked in that form.
          const earlier = legacyNormalForm(id, reading);
          if (earlier) {
            ok.push(earlier);
            return ok.length - 1;
          }
          return { type: String(id?.type), tombstoned: false, requestId: null, error: { code: 'INVALID_IDENTIFIER', message: (error as Error).message } };
        }
      }),
    );
    valid.push(ok);
  }
  const hits = await tombstones.check(valid, viewer);
  const out: CheckResult['people'] = people.map((person, p) => {
    const results = slots[p]!.map((slot): CheckAnswer => {
      if (typeof slot !== 'number') return slot;
      const hit = hits[p]![slot]!;
      return { type: hit.type, tombstoned: hit.tombstoned, requestId: hit.requestId };
    });
    return { ...(person.ref !== undefined ? { ref: person.ref } : {}), tombstoned: results.some((r) => r.tombstoned), results };
  });
  return { anyTombstoned: out.some((p) => p.tombstoned), people: out };
}
