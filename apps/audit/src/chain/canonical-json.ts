/**
 * A canonical JSON text (object keys sorted, no whitespace; the shape of
 * RFC 8785 for the values our events hold: strings, finite numbers,
 * booleans, null, arrays, objects). The trail hashes this text, so the hash
 * does not depend on how PostgreSQL's jsonb happens to order keys.
 *
 * Keys sort by UTF-16 code units (`Array.prototype.sort`'s default order);
 * members whose value is undefined are left out, as JSON.stringify does.
 * It runs for every stored event, so it builds one string and no
 * intermediate arrays of entries.
 */
export function canonicalJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new Error('non-finite number in an audit event');
      return JSON.stringify(value);
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) out += (i ? ',' : '') + canonicalJson(value[i]);
        return `${out}]`;
      }
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record).sort();
      let out = '{';
      let first = true;
      for (const key of keys) {
        const member = record[key];
        if (member === undefined) continue;
        out += `${first ? '' : ','}${JSON.stringify(key)}:${canonicalJson(member)}`;
        first = false;
      }
      return `${out}}`;
    }
    default:
      throw new Error(`unsupported value in an audit event: ${typeof value}`);
  }
}
