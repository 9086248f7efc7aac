/**
 * A canonical JSON text (object keys sorted, no whitespace; the shape of
 * RFC 8785 for the values our events hold: strings, finite numbers,
 * booleans, null, arrays, objects). The trail hashes this text, so the hash
 * does not depend on how PostgreSQL's jsonb happens to order keys.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error('non-finite number in an audit event');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  throw new Error(`unsupported value in an audit event: ${typeof value}`);
}
