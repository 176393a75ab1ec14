// Walks the built schema: every root query and mutation, a minimal document for each, and
// minimal valid variables derived from the argument types (overridable per operation).
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';

export interface RootOperation {
  kind: 'query' | 'mutation';
  name: string;
  field: GraphQLField<unknown, unknown>;
}

export function rootOperations(schema: GraphQLSchema): RootOperation[] {
  const ops: RootOperation[] = [];
  for (const [kind, type] of [
    ['query', schema.getQueryType()],
    ['mutation', schema.getMutationType()],
  ] as const) {
    for (const field of Object.values(type?.getFields() ?? {})) ops.push({ kind, name: field.name, field });
  }
  return ops;
}

/** A nonexistent but well-formed id (a UUID, since many ids are UUID columns). */
export const NO_SUCH_ID = '00000000-0000-4000-8000-000000000000';

/** A minimal valid value for an input type: required fields only, one list item. */
export function sampleValue(type: GraphQLInputType, argName = ''): unknown {
  if (isNonNullType(type)) return sampleValue(type.ofType, argName);
  if (isListType(type)) return [sampleValue(type.ofType, argName)];
  if (isEnumType(type)) return type.getValues()[0]!.value === undefined ? type.getValues()[0]!.name : type.getValues()[0]!.name;
  if (isInputObjectType(type)) {
    const out: Record<string, unknown> = {};
    for (const f of Object.values(type.getFields())) {
      if (isNonNullType(f.type) && f.defaultValue === undefined) out[f.name] = sampleValue(f.type, f.name);
    }
    return out;
  }
  if (isScalarType(type)) {
    switch (type.name) {
      case 'ID':
        return NO_SUCH_ID;
      case 'Int':
        return 1;
      case 'Float':
        return 1;
      case 'Boolean':
        return false;
      case 'DateTime':
      case 'DateTimeISO':
        return '2026-01-15T09:00:00.000Z';
      case 'JSON':
      case 'JSONObject':
        return {};
      default:
        return /id$/i.test(argName) ? NO_SUCH_ID : 'x';
    }
  }
  throw new Error(`no sample for ${String(type)}`);
}

export function sampleVariables(field: GraphQLField<unknown, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const arg of field.args) if (isNonNullType(arg.type) && arg.defaultValue === undefined) out[arg.name] = sampleValue(arg.type, arg.name);
  return out;
}

function typeRef(arg: GraphQLArgument): string {
  return String(arg.type);
}

/** `query Op($a: T!) { op(a: $a) { __typename } }` over every argument (optional ones may stay unset). */
export function operationDocument(op: RootOperation, selection?: string): string {
  const args = op.field.args;
  const defs = args.length ? `(${args.map((a) => `$${a.name}: ${typeRef(a)}`).join(', ')})` : '';
  const call = args.length ? `(${args.map((a) => `${a.name}: $${a.name}`).join(', ')})` : '';
  const named = getNamedType(op.field.type);
  const sel = selection ?? (isLeafType(named) ? '' : isObjectType(named) || named ? '{ __typename }' : '');
  return `${op.kind} Op${defs} { ${op.name}${call} ${sel} }`;
}
