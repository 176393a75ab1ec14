// Canonical JSON: object keys sorted, no insignificant whitespace, `undefined` members
// dropped, Dates as ISO strings, bigints as strings. The same value always gives the same
// bytes, which is what a digest and a hash chain need.

export function canonicalJson(value: unknown): string {
  return serialise(value, new Set());
}

function serialise(value: unknown, seen: Set<object>): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('canonical JSON cannot hold NaN or Infinity');
      return JSON.stringify(value);
    case 'bigint':
      return JSON.stringify(value.toString());
    case 'undefined':
      return 'null';
    case 'object':
      break;
    default:
      throw new TypeError(`canonical JSON cannot hold a ${typeof value}`);
  }
  const obj = value as object;
  if (obj instanceof Date) {
    if (Number.isNaN(obj.getTime())) throw new TypeError('canonical JSON cannot hold an invalid Date');
    return JSON.stringify(obj.toISOString());
  }
  if (seen.has(obj)) throw new TypeError('canonical JSON cannot hold a cycle');
  seen.add(obj);
  try {
    if (Array.isArray(obj)) return `[${obj.map((v) => serialise(v, seen)).join(',')}]`;
    if (obj instanceof Map) return serialise(Object.fromEntries(obj), seen);
    if (obj instanceof Set) return serialise([...obj], seen);
    const entries = Object.entries(obj as Record<string, unknown>)
      .filter(([, v]) => v !== undefined && typeof v !== 'function')
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${serialise(v, seen)}`).join(',')}}`;
  } finally {
    seen.delete(obj);
  }
}
