import { Field, ID, InputType } from 'type-graphql';
import { SourceKind } from '../../src/domain/vocabulary.js';
import { JSONScalar } from '../scalars.js';

@InputType({
  description:
    'A source registration: kind, connector type (builtin, sql, remote), connection settings (secrets only as environment variable names), mapping (sql), controller, retention and processing (purposes, lawful basis, recipients). Registering an existing id updates it.',
})
export class RegisterSourceInput {
  @Field(() => ID, { nullable: true, description: 'Stable slug (lower-case letters, digits, - and _); derived from the name when absent.' })
  id?: string | null;

  @Field(() => String)
  name!: string;

  @Field(() => SourceKind)
  kind!: SourceKind;

  @Field(() => String, { description: 'builtin, sql or remote.' })
  type!: string;

  @Field(() => JSONScalar, {
    description: 'builtin: {system, url|urlEnv, passwordEnv?, schema?}; sql: {url|urlEnv, passwordEnv?}; remote: {baseUrl, secretEnv}.',
  })
  connection!: unknown;

  @Field(() => JSONScalar, { nullable: true, description: 'sql only: {recordTypes: [...]}, see docs/connectors.md.' })
  mapping?: unknown;

  @Field(() => JSONScalar, { nullable: true, description: '{role: CONTROLLER|PROCESSOR, defaultControllerId?, note?}' })
  controller?: unknown;

  @Field(() => JSONScalar, {
    nullable: true,
    description: '{summary?, activePeriod?, archivePeriod?, maxAge?, statutory?, basis?, erasure?} overriding the connector default.',
  })
  retention?: unknown;

  @Field(() => JSONScalar, {
    nullable: true,
    description:
      'The record-of-processing part for the data map: {purposes: [..], dataSubjects: [..], lawfulBasis, specialCategoryCondition?, recipients: [..], transfers?}, overriding what the connector describes.',
  })
  processing?: unknown;

  @Field(() => String, {
    nullable: true,
    description:
      'ISO 3166 alpha-2 country (e.g. "FR") the source writes phone numbers without a +prefix in: its records are read, keyed and tombstoned in it, and its bound keys\' tombstone checks too. Absent: the country it already has, else the deployment\'s DSR_DEFAULT_PHONE_COUNTRY. ' +
      "Another than the one it has: that one is remembered, and its bound keys' checks and the recreation sweep still read its national numbers in it too (tombstones written from its records hold that reading); discovery reads in the new one only.",
  })
  phoneCountry?: string | null;
}

/** The registration as the config schema reads it: absent parts left out, not null. */
export function registrationOf(input: RegisterSourceInput): Record<string, unknown> {
  const out: Record<string, unknown> = { name: input.name, kind: input.kind, type: input.type, connection: input.connection };
  if (input.id != null) out.id = input.id;
  if (input.mapping != null) out.mapping = input.mapping;
  if (input.controller != null) out.controller = input.controller;
  if (input.retention != null) out.retention = input.retention;
  if (input.processing != null) out.processing = input.processing;
  if (input.phoneCountry != null) out.phoneCountry = input.phoneCountry;
  return out;
}
