// What a team registers: a source's kind, connector type, connection settings, mapping,
// controller and retention override. Validated with zod; secrets are referenced by the
// NAME of an environment variable, never given in clear.
import { z } from 'zod';
import { Capability, DataCategory, IdentifierType, Relationship, SourceKind } from '../src/domain/vocabulary.js';
import { ConnectorError } from './contract.js';
import { REFERENCE_SYSTEM_NAMES, type ReferenceSystemName } from './reference-systems.js';
import { isPhoneCountry } from '../src/identity/normalise/contact.js';

const name = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'a plain SQL name (letters, digits, _)');
const tableName = z.string().regex(/^([A-Za-z_][A-Za-z0-9_]{0,62}\.)?[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'table or schema.table');
const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name (A-Z, 0-9, _)');

const postgresUrl = z
  .string()
  .refine((v) => /^postgres(ql)?:\/\//.test(v), 'a postgres:// URL')
  .refine((v) => {
    try {
      return !new URL(v).password;
    } catch {
      return false;
    }
  }, 'must not hold a password: put it in an environment variable and name it in passwordEnv (or name the whole URL in urlEnv)');

/**
 * A remote connector's address: http(s), and nothing secret in it. A user name, password,
 * query or fragment would be stored with the registration in clear (and a query or fragment
 * is dropped from every call anyway); the shared secret is named in secretEnv.
 */
const remoteUrl = z.url({ protocol: /^https?$/ }).refine((v) => {
  try {
    const url = new URL(v);
    return !url.username && !url.password && !url.search && !url.hash;
  } catch {
    return false;
  }
}, 'must hold no user name, password, query or fragment: the shared secret is named in secretEnv');

/** Where a PostgreSQL database is: a URL without secrets plus passwordEnv, or urlEnv (the whole URL). */
const databaseShape = {
  url: postgresUrl.optional(),
  urlEnv: envName.optional(),
  passwordEnv: envName.optional(),
};
const oneOfUrl: [(c: { url?: string; urlEnv?: string }) => boolean, { message: string; path: string[] }] = [
  (c) => Boolean(c.url) !== Boolean(c.urlEnv),
  { message: 'give exactly one of url or urlEnv', path: ['url'] },
];

export const retentionOverrideSchema = z
  .object({
    summary: z.string().min(1),
    activePeriod: z.string().regex(/^P/, 'an ISO 8601 duration'),
    archivePeriod: z.string().regex(/^P/, 'an ISO 8601 duration'),
    maxAge: z.string().regex(/^P/, 'an ISO 8601 duration'),
    statutory: z.boolean(),
    basis: z.string().min(1),
    erasure: z.enum(['DELETE', 'ANONYMISE', 'LEGAL_HOLD', 'MINIMISE', 'PURGE_SEGMENTS']),
    autoExecute: z.boolean(),
  })
  .partial()
  .strict();

export const controllerSchema = z
  .object({
    role: z.enum(['CONTROLLER', 'PROCESSOR']),
    defaultControllerId: z.string().min(1).optional(),
    note: z.string().optional(),
  })
  .strict();

/** The record-of-processing part of a description (connectors/contract.ts ProcessingDescription). */
export const processingSchema = z
  .object({
    purposes: z.array(z.string().min(1)).min(1),
    dataSubjects: z.array(z.string().min(1)).min(1),
    lawfulBasis: z.string().min(1),
    specialCategoryCondition: z.string().min(1).optional(),
    recipients: z.array(z.string().min(1)),
    transfers: z.string().min(1).optional(),
  })
  .strict();

export const columnEraseSchema = z.union([z.enum(['DELETE_ROW', 'NULL', 'HASH']), z.object({ fixed: z.string() }).strict()]);

export const sqlRecordTypeSchema = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9_]{0,40}$/, 'lower-case letters, digits and _'),
    table: tableName,
    primaryKey: name,
    relationship: z.enum(Relationship).default(Relationship.SUBJECT),
    /** For records about someone else's record: the column pointing at the parent, and its type. */
    parent: z.object({ column: name, recordType: z.string() }).strict().optional(),
    /** column -> identifier type the column holds. */
    identifiers: z.record(name, z.enum(IdentifierType)),
    /** Columns whose values are joined to a FULL_NAME identifier, e.g. [first_name, last_name]. */
    fullName: z.array(name).min(1).optional(),
    /** column -> data categories, erase strategy and whether `correct` may change it. */
    columns: z.record(
      name,
      z
        .object({
          categories: z.array(z.enum(DataCategory)).min(1),
          erase: columnEraseSchema.optional(),
          correctable: z.boolean().default(false),
        })
        .strict(),
    ),
    dates: z.object({ createdAt: name.optional(), lastActivityAt: name.optional() }).strict().optional(),
    controllerColumn: name.optional(),
    /** A boolean column `restrict` sets; without it the record type cannot be restricted. */
    restrictedColumn: name.optional(),
  })
  .strict();

export const sqlMappingSchema = z
  .object({ recordTypes: z.array(sqlRecordTypeSchema).min(1) })
  .strict()
  .superRefine((m, ctx) => {
    const names = new Set(m.recordTypes.map((r) => r.name));
    m.recordTypes.forEach((r, i) => {
      if (r.parent && !names.has(r.parent.recordType)) {
        ctx.addIssue({ code: 'custom', path: ['recordTypes', i, 'parent', 'recordType'], message: `no record type named ${r.parent.recordType}` });
      }
      for (const column of Object.keys(r.identifiers)) {
        if (!r.columns[column])
          ctx.addIssue({ code: 'custom', path: ['recordTypes', i, 'identifiers', column], message: 'identifier column must also be described in columns' });
      }
    });
  });

const base = {
  /** Stable id; defaults to the name. */
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'lower-case letters, digits, _ and -')
    .optional(),
  name: z.string().min(1).max(100),
  kind: z.enum(SourceKind),
  controller: controllerSchema.optional(),
  retention: retentionOverrideSchema.optional(),
  processing: processingSchema.optional(),
  /**
   * The country (ISO 3166 alpha-2, e.g. "FR") the source's phone numbers written without a
   * +prefix are in: its records are read, keyed and tombstoned in it, and its bound keys'
   * tombstone checks too. Absent: kept as registered before, else the gateway's
   * DSR_DEFAULT_PHONE_COUNTRY (GB unless set) when first registered.
   */
  phoneCountry: z.string().refine(isPhoneCountry, 'an ISO 3166 alpha-2 country code with phone numbering, in capitals (e.g. FR)').optional(),
};

export const builtinSourceSchema = z
  .object({
    ...base,
    type: z.literal('builtin'),
    connection: z
      .object({
        system: z.enum(REFERENCE_SYSTEM_NAMES as [ReferenceSystemName, ...ReferenceSystemName[]]),
        ...databaseShape,
        schema: name.optional(),
        footageDir: z.string().min(1).optional(),
      })
      .strict()
      .refine(...oneOfUrl),
  })
  .strict();

export const sqlSourceSchema = z
  .object({
    ...base,
    type: z.literal('sql'),
    connection: z
      .object({ ...databaseShape, connectTimeoutMs: z.number().int().min(100).max(120_000).default(5_000) })
      .strict()
      .refine(...oneOfUrl),
    mapping: sqlMappingSchema,
  })
  .strict();

export const remoteSourceSchema = z
  .object({
    ...base,
    type: z.literal('remote'),
    connection: z
      .object({
        baseUrl: remoteUrl,
        secretEnv: envName,
        timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
        capabilities: z.array(z.enum(Capability)).optional(),
      })
      .strict(),
  })
  .strict();

export const sourceConfigSchema = z.discriminatedUnion('type', [builtinSourceSchema, sqlSourceSchema, remoteSourceSchema]);

export type SourceConfig = z.infer<typeof sourceConfigSchema>;
export type SourceConfigInput = z.input<typeof sourceConfigSchema>;
export type SqlMapping = z.infer<typeof sqlMappingSchema>;
export type SqlRecordType = z.infer<typeof sqlRecordTypeSchema>;
export type ColumnErase = z.infer<typeof columnEraseSchema>;

/** A registration that does not validate: CONFIGURATION, naming the field. */
export class SourceConfigError extends ConnectorError {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super('CONFIGURATION', `${field}: ${problem}`);
    this.name = 'SourceConfigError';
  }
}

export function fieldPath(path: readonly PropertyKey[], prefix = ''): string {
  let out = prefix;
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : `${out ? '.' : ''}${String(part)}`;
  return out || '(root)';
}

export function parseSourceConfig(input: unknown, prefix = ''): SourceConfig {
  const parsed = sourceConfigSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new SourceConfigError(fieldPath(issue.path, prefix), issue.message);
  }
  return parsed.data;
}

export function sourceIdOf(config: SourceConfig): string {
  return (
    config.id ??
    config.name
      .toLowerCase()
      .replace(/[^a-z0-9_-]+/g, '-')
      .replace(/^-+|-+$/g, '')
  );
}
