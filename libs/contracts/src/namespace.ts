/**
 * Every NATS subject of the suite lives under one namespace so that several
 * installations (or test runs) can share a NATS server without hearing each
 * other. `SUBJECT_PREFIX` is read once, when the contracts are loaded.
 */
export const SUBJECT_PREFIX: string = (process.env.SUBJECT_PREFIX ?? 'smart').trim() || 'smart';

/** Name of the JetStream stream holding the durable events of this installation. */
export const EVENT_STREAM: string = `${SUBJECT_PREFIX.replace(/[^A-Za-z0-9_-]/g, '_').toUpperCase()}_EVENTS`;

/**
 * Name of the JetStream stream holding the events a durable consumer could
 * not process (issue #14): on `<prefix>.dead.v1.<consumer>`, the original
 * payload with the reason in headers (docs/events.md, Dead letters).
 */
export const DEAD_LETTER_STREAM: string = `${SUBJECT_PREFIX.replace(/[^A-Za-z0-9_-]/g, '_').toUpperCase()}_DEAD_LETTERS`;

export function subject<S extends string>(local: S): `${string}.${S}` {
  return `${SUBJECT_PREFIX}.${local}`;
}

/**
 * Name of the JetStream key-value bucket holding the `jti`s of client
 * assertions already accepted (RFC 7523 §3 item 7), shared by every replica.
 */
export const ASSERTION_JTI_BUCKET: string = `${SUBJECT_PREFIX.replace(/[^A-Za-z0-9_-]/g, '_').toUpperCase()}_JTI`;

/**
 * Name of the JetStream key-value bucket holding the gateway's request-rate
 * counts per key and window, shared by every gateway replica (issue #19).
 */
export const RATE_LIMIT_BUCKET: string = `${SUBJECT_PREFIX.replace(/[^A-Za-z0-9_-]/g, '_').toUpperCase()}_RATE_LIMITS`;
