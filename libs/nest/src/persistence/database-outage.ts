/** Socket-level error codes of a database that cannot be reached (Node.js `net` / `dns`). */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * SQLSTATEs that say "the server is not available now" rather than "this
 * statement is wrong" (PostgreSQL appendix A): class 08 connection exception,
 * 53300 too_many_connections, 57014 query_canceled (statement_timeout),
 * 57P01..57P05 shutdown / cannot connect now / idle session timeout.
 */
const UNAVAILABLE_STATES = /^(08...|53300|57014|57P0[1-5])$/;

/** Messages of node-postgres (pg, pg-pool) when a connection breaks or cannot be had in time. */
const UNAVAILABLE_MESSAGES = /connection terminated|timeout exceeded when trying to connect|connection timeout|client has encountered a connection error|cannot use a pool after calling end|terminating connection|the database system is (starting up|shutting down)|query read timeout/i;

interface ErrorShape {
  code?: unknown;
  message?: unknown;
  driverError?: unknown;
  cause?: unknown;
  errors?: unknown;
}

/**
 * Whether a failure means "PostgreSQL is unreachable or overloaded right
 * now" (answered `503 temporarily_unavailable`, worth a retry) rather than a
 * bug. Looks through TypeORM's `QueryFailedError.driverError`, `cause` and
 * `AggregateError.errors` (a connect attempt to several addresses).
 */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 4) return false;
  const e = error as ErrorShape;
  if (typeof e.code === 'string' && (NETWORK_CODES.has(e.code) || UNAVAILABLE_STATES.test(e.code))) return true;
  if (typeof e.message === 'string' && UNAVAILABLE_MESSAGES.test(e.message)) return true;
  if (Array.isArray(e.errors) && e.errors.some((inner) => isDatabaseUnavailable(inner, depth + 1))) return true;
  return isDatabaseUnavailable(e.driverError, depth + 1) || isDatabaseUnavailable(e.cause, depth + 1);
}
