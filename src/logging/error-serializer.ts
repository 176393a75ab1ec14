// How errors are written to the log. A database error (TypeORM's QueryFailedError, pg's
// DatabaseError) carries the statement's parameters, the server's `detail` ("Key (email)=
// (jane@…) already exists") and, for a value PostgreSQL could not read, the value itself
// in the message: any of them can be personal data. The statement text stays (it has
// placeholders, not values) so the failure can still be found.
import { stdSerializers } from 'pino';

/** Fields of a database error that hold values from the statement or the row. */
const VALUE_FIELDS = new Set(['parameters', 'detail', 'where', 'internalQuery', 'raw']);

// PostgreSQL quotes the value it could not read: `invalid input syntax for type uuid: "…"`,
// `date/time field value out of range: "…"`, `invalid input value for enum …: "…"`.
const QUOTED_VALUE = /((?:invalid input|out of range|malformed|unrecognized)[^"\n]*?): "[^"\n]*"/gi;

/** The text with the values PostgreSQL quotes in its messages replaced. */
export function redactStatementValues(text: string): string {
  return text.replace(QUOTED_VALUE, '$1: [redacted]');
}

function clean(serialized: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(serialized)) {
    if (VALUE_FIELDS.has(key)) continue;
    if (typeof value === 'string') out[key] = key === 'query' ? value : redactStatementValues(value);
    else if (Array.isArray(value)) out[key] = value.map((v) => (v && typeof v === 'object' ? clean(v as Record<string, unknown>) : v));
    else if (value && typeof value === 'object') out[key] = clean(value as Record<string, unknown>);
    else out[key] = value;
  }
  return out;
}

/** pino's `err` serializer, minus statement parameters and quoted values. Also for `err: error.message`. */
export function serializeError(err: unknown): unknown {
  if (typeof err === 'string') return redactStatementValues(err);
  const serialized = stdSerializers.err(err as Error);
  if (!serialized || typeof serialized !== 'object') return serialized;
  return clean(serialized as unknown as Record<string, unknown>);
}
