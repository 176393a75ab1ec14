// Custom scalars of the public API, defined once (graphql-scalars) and imported by every
// type that needs them, so the schema has exactly one JSON and one DateTime.
import { DateTimeResolver, JSONResolver } from 'graphql-scalars';

/** ISO 8601 date-time, e.g. 2026-03-01T12:00:00.000Z. */
export const DateTimeScalar = DateTimeResolver;

/** Any JSON value (record data, connection settings, mappings). */
export const JSONScalar = JSONResolver;
