import { EVENT_TYPES, type EventEnvelope } from '#contracts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** RFC 3339 §5.6 date-time; stored normalised to UTC by `Date.toISOString()`. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/i;
const KNOWN_TYPES: ReadonlySet<string> = new Set(EVENT_TYPES);
/**
 * In `JSON.stringify` output (well-formed since ES2019), an unescaped `\u0000`
 * or `\uD800`–`\uDFFF`: U+0000 or a lone surrogate, both refused by PostgreSQL.
 */
const UNSTORABLE_ESCAPE = /(?:^|[^\\])(?:\\\\)*\\u(?:0000|d[89a-f][0-9a-f]{2})/i;

/** `occurred_at` in UTC as PostgreSQL reads it (`2026-02-30` rolls over as `Date` does), or null when out of range. */
export function occurredAtUtc(occurredAt: string): string | null {
  const time = new Date(occurredAt);
  const year = time.getUTCFullYear();
  return Number.isNaN(time.getTime()) || year < 1 || year > 9999 ? null : time.toISOString();
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Why an envelope read from the stream cannot be stored, or null when it can.
 * The checks mirror `EventEnvelope` (docs/events.md) plus what PostgreSQL
 * would refuse, so that one bad message can never fail a whole batch insert
 * and block the stream.
 */
export function envelopeProblem(value: unknown): string | null {
  if (!isRecord(value)) return 'not a JSON object';
  if (typeof value.id !== 'string' || !UUID.test(value.id)) return 'id is not a UUID';
  if (typeof value.type !== 'string' || !KNOWN_TYPES.has(value.type)) return 'type is not in the event catalogue';
  if (value.version !== 1) return 'version is not 1';
  if (typeof value.occurred_at !== 'string' || !DATE_TIME.test(value.occurred_at) || occurredAtUtc(value.occurred_at) === null) {
    return 'occurred_at is not an RFC 3339 date-time';
  }
  if (typeof value.source !== 'string' || value.source.length === 0) return 'source is missing';
  if (value.request_id !== undefined && typeof value.request_id !== 'string') return 'request_id is not a string';
  if (!isRecord(value.data)) return 'data is not an object';
  if (UNSTORABLE_ESCAPE.test(JSON.stringify(value))) return 'contains U+0000 or a lone surrogate, which PostgreSQL cannot store';
  return null;
}

export function isStorableEnvelope(value: unknown): value is EventEnvelope {
  return envelopeProblem(value) === null;
}
