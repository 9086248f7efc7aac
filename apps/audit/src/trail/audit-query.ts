import { EVENT_TYPES, type AuditQuery, type EventType } from '#contracts';
import { InvalidRequest } from '#oauth';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const RFC3339 = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;
const KNOWN_TYPES: ReadonlySet<string> = new Set(EVENT_TYPES);
const FIELDS = new Set(['ids', 'type', 'clientId', 'userId', 'patient', 'from', 'to', 'afterSeq', 'limit', 'newest']);

export const MAX_PAGE = 1000;
export const DEFAULT_PAGE = 100;

/** The audit query after validation: `limit` always set. */
export type ParsedAuditQuery = AuditQuery & { limit: number };

/** Validates an `audit.v1.find` payload (JSON from the bus). */
export function parseAuditQuery(payload: unknown): ParsedAuditQuery {
  if (payload !== undefined && payload !== null && (typeof payload !== 'object' || Array.isArray(payload))) {
    throw new InvalidRequest('the query must be an object');
  }
  const q = (payload ?? {}) as Record<string, unknown>;
  const unknown = Object.keys(q).filter((key) => !FIELDS.has(key));
  if (unknown.length > 0) throw new InvalidRequest(`unknown query field(s): ${unknown.join(', ')}`);

  const query: ParsedAuditQuery = { limit: DEFAULT_PAGE };
  if (q.ids !== undefined) {
    if (!Array.isArray(q.ids) || q.ids.length > MAX_PAGE || !q.ids.every((id) => typeof id === 'string' && UUID.test(id))) {
      throw new InvalidRequest(`ids must be an array of at most ${MAX_PAGE} event ids (UUIDs)`);
    }
    query.ids = q.ids as string[];
  }
  if (q.type !== undefined) {
    if (typeof q.type !== 'string' || !KNOWN_TYPES.has(q.type)) throw new InvalidRequest('type is not a known event type');
    query.type = q.type as EventType;
  }
  if (q.clientId !== undefined) {
    if (typeof q.clientId !== 'string' || q.clientId.length === 0 || q.clientId.length > 128) throw new InvalidRequest('clientId must be a string of 1 to 128 characters');
    query.clientId = q.clientId;
  }
  for (const name of ['userId', 'patient'] as const) {
    const value = q[name];
    if (value === undefined) continue;
    if (typeof value !== 'string' || value.length === 0 || value.length > 256) throw new InvalidRequest(`${name} must be a string of 1 to 256 characters`);
    query[name] = value;
  }
  for (const name of ['from', 'to'] as const) {
    const value = q[name];
    if (value === undefined) continue;
    if (typeof value !== 'string' || !RFC3339.test(value) || Number.isNaN(Date.parse(value))) throw new InvalidRequest(`${name} must be an RFC 3339 date-time`);
    query[name] = value;
  }
  if (q.afterSeq !== undefined) {
    if (!Number.isSafeInteger(q.afterSeq) || (q.afterSeq as number) < 0) throw new InvalidRequest('afterSeq must be a non-negative integer');
    query.afterSeq = q.afterSeq as number;
  }
  if (q.newest !== undefined) {
    if (typeof q.newest !== 'boolean') throw new InvalidRequest('newest must be a boolean');
    if (q.newest && q.afterSeq !== undefined) throw new InvalidRequest('newest takes no afterSeq');
    query.newest = q.newest;
  }
  if (q.limit !== undefined) {
    if (!Number.isInteger(q.limit) || (q.limit as number) < 1 || (q.limit as number) > MAX_PAGE) throw new InvalidRequest(`limit must be an integer from 1 to ${MAX_PAGE}`);
    query.limit = q.limit as number;
  }
  return query;
}
