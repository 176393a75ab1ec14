// The identity module's public surface: normalisation, blocking keys, the matching model
// and the resolver. GraphQL, DataLoader wiring and connectors import from here.
export { InvalidIdentifierError, isInvalidIdentifierError } from './errors.js';
export {
  normaliseIdentifier,
  normaliseQueryIdentifiers,
  normaliseRecordIdentifiers,
  dedupeIdentifiers,
  legacyNormalForm,
  isReferenceType,
  withPhoneCountry,
  isPhoneCountry,
  DEFAULT_PHONE_COUNTRY,
  type NormalisedIdentifier,
  type NormaliseOptions,
  type DateOrder,
} from './normalise/index.js';
export { blockingKeysOf, blockingKeysOfProfile, KEY_SCHEME_VERSION } from './blocking.js';
export { profileOf, profileOfRaw, type Profile } from './matching/profile.js';
export {
  createMatchModel,
  scorePair,
  probabilityOf,
  type MatchModel,
  type MatchThresholds,
  type MatchScore,
  type MatchExplanation,
  type FieldComparison,
} from './matching/model.js';
export { COMPARISONS, type ComparisonField, type EvidenceGroup, type LevelKind } from './matching/comparisons.js';
export { defaultParameters, checkParameters, type ModelParameters, type TermFrequencies } from './matching/parameters.js';
export { sourcePrior, priorWeightOf } from './matching/prior.js';
export { termFrequenciesOf } from './matching/term-frequencies.js';
export { redactExplanation, REDACTED } from './matching/redaction.js';
export {
  resolveSubject,
  type ResolveSubjectInput,
  type ResolveOptions,
  type SourceHandle,
  type SourceLookup,
  type SourceOutcome,
  type SourceStatus,
  type RecordMatch,
  type SubjectResolution,
} from './resolver.js';
