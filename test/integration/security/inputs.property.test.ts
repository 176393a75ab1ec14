// Property-based tests of every GraphQL input, run in-process against the executable
// schema (graphql's `execute` with the gateway's real services and database): whatever
// well-typed value a client sends, the answer is a success or a coded error, never
// INTERNAL_SERVER_ERROR; and a rejected operation changes nothing.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  execute,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  parse,
  type GraphQLError,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';
import { buildGatewaySchema } from '../../../schema/build-schema.js';
import { formatGraphQLError } from '../../../src/http/graphql-errors.js';
import { EVERY_CONTROLLER, type Principal } from '../../../src/auth/index.js';
import type { GraphQLContext } from '../../../schema/context.js';
import { startTestGateway, type TestGateway } from '../../support/runtime.js';
import { operationDocument, rootOperations, type RootOperation } from './schema-operations.js';

const FULL_RUNS = 10_000;
const SWEEP_RUNS = 1_000;
/** The inputs the issue names, 10,000 cases each; every other operation with arguments gets a sweep. */
const FOCUS = ['submitRequest', 'subject', 'tombstoneCheck', 'registerSource', 'createApiKey', 'auditLog'];
/** Tables an operation may write; a rejected call must leave their row counts unchanged. */
const TABLES = ['data_subject_request', 'request_record', 'request_transition', 'record_decision', 'task', 'source', 'tombstone', 'api_keys'];

const text = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 700 }) },
  { weight: 2, arbitrary: fc.emailAddress() },
  { weight: 1, arbitrary: fc.uuid() },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', '\u0000', 'a\u0000b', '\uD800', '1980-02-30', '+44 20 7946 0958', 'x'.repeat(5000)) },
);

/** A well-typed arbitrary value for a GraphQL input type (types are checked by GraphQL; values are not). */
function arbitraryFor(type: GraphQLInputType, depth = 0): fc.Arbitrary<unknown> {
  if (isNonNullType(type)) return baseArbitrary(type.ofType, depth);
  return fc.option(baseArbitrary(type, depth), { nil: null, freq: 8 });
}

function baseArbitrary(type: GraphQLInputType, depth: number): fc.Arbitrary<unknown> {
  if (isListType(type)) return fc.array(arbitraryFor(type.ofType, depth + 1), { maxLength: depth > 1 ? 2 : 5 });
  if (isEnumType(type)) return fc.constantFrom(...type.getValues().map((v) => v.name));
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields());
    const shape: Record<string, fc.Arbitrary<unknown>> = {};
    for (const f of fields) shape[f.name] = arbitraryFor(f.type, depth + 1);
    const required = fields.filter((f) => isNonNullType(f.type)).map((f) => f.name);
    return fc.record(shape, { requiredKeys: required as never[] });
  }
  if (isScalarType(type)) {
    switch (type.name) {
      case 'Int':
        return fc.oneof(fc.integer({ min: -5, max: 600 }), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }));
      case 'Float':
        return fc.double({ noNaN: true, noDefaultInfinity: true });
      case 'Boolean':
        return fc.boolean();
      case 'DateTime':
        return fc.date({ min: new Date('1900-01-01'), max: new Date('2200-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
      case 'JSON':
        return fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.record({ baseUrl: text, secretEnv: text, system: text, url: text }));
      default:
        return text;
    }
  }
  throw new Error(`no arbitrary for ${String(type)}`);
}

/**
 * Every value an input type can take, when there are few (Boolean, enums, and input objects
 * or nullable wrappers of them); undefined when the space is unbounded (strings, numbers, lists).
 */
function allValuesOf(type: GraphQLInputType): unknown[] | undefined {
  if (isNonNullType(type)) return allBaseValuesOf(type.ofType);
  const values = allBaseValuesOf(type);
  return values && [null, ...values];
}

function allBaseValuesOf(type: GraphQLInputType): unknown[] | undefined {
  if (isEnumType(type)) return type.getValues().map((v) => v.name);
  if (isScalarType(type) && type.name === 'Boolean') return [true, false];
  if (isInputObjectType(type)) return allRecordsOf(Object.values(type.getFields()));
  return undefined;
}

/** Every record of these fields: required ones always present, optional ones absent or any of their values. */
function allRecordsOf(fields: readonly { name: string; type: GraphQLInputType }[]): Record<string, unknown>[] | undefined {
  let records: Record<string, unknown>[] = [{}];
  for (const f of fields) {
    const values = allValuesOf(f.type);
    if (!values) return undefined;
    const choices = isNonNullType(f.type) ? values.map((v) => ({ [f.name]: v })) : [{}, ...values.map((v) => ({ [f.name]: v }))];
    records = records.flatMap((r) => choices.map((c) => ({ ...r, ...c })));
    if (records.length > SWEEP_RUNS) return undefined;
  }
  return records;
}

/** Variables for an operation: required arguments always present, optional ones present or not. */
function variablesFor(op: RootOperation): fc.Arbitrary<Record<string, unknown>> {
  const shape: Record<string, fc.Arbitrary<unknown>> = {};
  for (const arg of op.field.args) shape[arg.name] = arbitraryFor(arg.type);
  const required = op.field.args.filter((a) => isNonNullType(a.type)).map((a) => a.name);
  return fc.record(shape, { requiredKeys: required as never[] });
}

let gw: TestGateway;
let schema: GraphQLSchema;
let operations: RootOperation[];
const principal: Principal = {
  kind: 'api-key',
  id: 'property-tester',
  roles: ['ADMIN', 'HANDLER', 'CONNECTOR', 'AUDITOR', 'SPECIAL_CATEGORY'] as Principal['roles'],
  controllers: EVERY_CONTROLLER,
};

async function counts(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of TABLES) {
    const [row] = (await gw.runtime.services.dataSource.query(`SELECT count(*)::int AS n FROM ${t}`)) as [{ n: number }];
    out[t] = row.n;
  }
  return out;
}

/** Runs one operation as a client would see it (errors shaped by the gateway's formatError). */
async function run(document: ReturnType<typeof parse>, variableValues: Record<string, unknown>) {
  const contextValue: GraphQLContext = { requestId: 'property', principal, services: gw.runtime.services };
  const result = await execute({ schema, document, variableValues, contextValue });
  const internal: unknown[] = [];
  const errors = (result.errors ?? []).map((e: GraphQLError) => {
    // No data at all: the variables did not coerce (a request error), which Apollo codes BAD_USER_INPUT.
    if (result.data === undefined) return { message: e.message, extensions: { code: 'BAD_USER_INPUT' } };
    return formatGraphQLError(e.toJSON(), e, (err) => internal.push(err));
  });
  return { data: result.data, errors, internal };
}

beforeAll(async () => {
  gw = await startTestGateway({ worker: false, env: { LOG_LEVEL: 'silent' } });
  schema = await buildGatewaySchema();
  operations = rootOperations(schema).filter((o) => o.field.args.length > 0);
}, 60_000);
afterAll(() => gw?.stop());

describe('GraphQL inputs over generated values', () => {
  it('covers every input the issue names: each is an operation of the schema', () => {
    const missing = FOCUS.filter((name) => !operations.some((o) => o.name === name));
    expect(missing, 'operations named in FOCUS but absent from the schema (renamed or removed?)').toEqual([]);
  });

  it.each(FOCUS)(
    '%s: 10,000 generated inputs give success or a coded error, and rejected ones change nothing',
    async (name) => {
      const op = operations.find((o) => o.name === name);
      // A missing operation is a failure, not a pass with nothing run.
      expect(op, `${name} is not an operation of the schema`).toBeDefined();
      await checkOperation(op!, FULL_RUNS);
    },
    900_000,
  );

  it('sweeps every other operation with arguments (1,000 inputs each, or every possible input when there are fewer)', async () => {
    const failures: string[] = [];
    for (const op of operations.filter((o) => !FOCUS.includes(o.name))) {
      await checkOperation(op, SWEEP_RUNS).catch((error: Error) => failures.push(error.message.split('\n')[0]!.slice(0, 400)));
    }
    expect(failures).toEqual([]);
  }, 900_000);

  it('takes every possible input of an operation whose arguments have only a few values', () => {
    const apiKeys = operations.find((o) => o.name === 'apiKeys');
    expect(apiKeys, 'apiKeys(includeRevoked: Boolean) is an operation of the schema').toBeDefined();
    expect(allRecordsOf(apiKeys!.field.args)).toEqual([{}, { includeRevoked: null }, { includeRevoked: true }, { includeRevoked: false }]);
    // Unbounded arguments are generated, not enumerated.
    expect(allRecordsOf(operations.find((o) => o.name === 'retentionRuns')!.field.args)).toBeUndefined();
  });
});

/**
 * `numRuns` generated inputs; when the operation's arguments can take no more than that
 * many values in all, each of them once instead (drawing 1,000 times from four values
 * proves nothing more than the four, and a list query repeated 1,000 times was a fifth of
 * this file's time).
 */
async function checkOperation(op: RootOperation, numRuns: number): Promise<void> {
  const document = parse(operationDocument(op));
  const uncoded: string[] = [];
  let successes = 0;
  const before = await counts();
  const every = allRecordsOf(op.field.args);
  const inputs = every && every.length <= numRuns ? fc.constantFrom(...every) : variablesFor(op);
  const examples = every && every.length <= numRuns ? every.map((v) => [v] as [Record<string, unknown>]) : [];
  await fc
    .assert(
      fc.asyncProperty(inputs, async (variables) => {
        const { errors, internal, data } = await run(document, variables);
        if (errors.length === 0 && data?.[op.name] !== undefined) successes += 1;
        for (const e of errors) {
          const code = e.extensions?.code;
          if (typeof code !== 'string' || code === 'INTERNAL_SERVER_ERROR') {
            uncoded.push(
              `${op.name}: ${String(code)} ${(internal[0] as Error | undefined)?.message ?? e.message} for ${JSON.stringify(variables).slice(0, 300)}`,
            );
            return false;
          }
        }
        return true;
      }),
      { numRuns: examples.length > 0 ? examples.length : numRuns, examples, endOnFailure: true },
    )
    .catch((error) => {
      throw new Error(`${uncoded[0] ?? ''}\n${(error as Error).message.slice(0, 2000)}`);
    });
  const after = await counts();
  // Only successful calls may have written: no rows from rejected ones.
  const grown = Object.entries(after).filter(([t, n]) => n !== before[t]);
  if (successes === 0) expect(grown, `${op.name}: rows written although every call was rejected`).toEqual([]);
  if (op.kind === 'query') expect(grown, `${op.name}: a query wrote rows`).toEqual([]);
  for (const [t, n] of grown) expect(n - before[t]!, `${op.name}/${t}`).toBeLessThanOrEqual(successes * 50);
}
