// The recreation guard's batch check: people (groups of identifiers) in, one answer per
// identifier out. A bad identifier gets its own error code; it never fails the batch.
import { DomainError } from '../domain/errors.js';
import { legacyNormalForm, normaliseIdentifier, isInvalidIdentifierError, type NormalisedIdentifier, type NormaliseOptions } from '../identity/index.js';
import type { Identifier } from '../../connectors/contract.js';
import { can, controllerScope, type Principal } from '../auth/index.js';
import type { TombstoneService, TombstoneViewer } from './tombstone.service.js';
import type { SourceRegistry } from '../sources/source-registry.js';

export const MAX_IDENTIFIERS_PER_CHECK = 1000;

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
 * How a caller's phone numbers written without a +prefix are read: a key bound to sources
 * reads in their phone country (a feed asks as its source writes), when they share one; any
 * other caller in the deployment's default (DSR_DEFAULT_PHONE_COUNTRY). An identifier's own
 * `country` wins over both.
 */
export async function checkReadingOf(principal: Principal, sources: Pick<SourceRegistry, 'readingsOf' | 'defaultPhoneCountry'>): Promise<NormaliseOptions> {
  const bound = principal.sourceIds ?? [];
  if (bound.length > 0) {
    const countries = new Set([...(await sources.readingsOf(bound)).values()].map((r) => r.defaultCountry));
    if (countries.size === 1) return { defaultCountry: [...countries][0] };
  }
  return { defaultCountry: sources.defaultPhoneCountry };
}

export async function checkPeople(
  tombstones: TombstoneService,
  people: readonly CheckPerson[],
  viewer: TombstoneViewer,
  reading: NormaliseOptions = {},
): Promise<CheckResult> {
  const total = people.reduce((n, p) => n + p.identifiers.length, 0);
  if (total > MAX_IDENTIFIERS_PER_CHECK) {
    throw new DomainError('TOO_MANY_IDENTIFIERS', `At most ${MAX_IDENTIFIERS_PER_CHECK} identifiers per check (got ${total})`, {
      max: MAX_IDENTIFIERS_PER_CHECK,
      got: total,
    });
  }
  const valid: NormalisedIdentifier[][] = [];
  const slots: (CheckAnswer | number)[][] = [];
  for (const person of people) {
    const ok: NormalisedIdentifier[] = [];
    slots.push(
      person.identifiers.map((id) => {
        try {
          ok.push(normaliseIdentifier(id, reading));
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
    const results = slots[p]!.map((slot) => (typeof slot === 'number' ? { ...hits[p]![slot]! } : slot));
    return { ...(person.ref !== undefined ? { ref: person.ref } : {}), tombstoned: results.some((r) => r.tombstoned), results };
  });
  return { anyTombstoned: out.some((p) => p.tombstoned), people: out };
}
