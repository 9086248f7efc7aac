import { QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';

/** Socket-level error codes of a database that cannot be reached (Node.js `net` / `dns`). */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * SQLSTATEs that say "the server is not available now" rather than "this
 * statement is wrong" (PostgreSQL appendix A): class 08 connection exception,
 * 53300 too_many_connections, 57014 query_canceled (statement_timeout),
 * 57P01..57P05 admin shutdown (`pg_terminate_backend`), crash shutdown,
 * cannot connect now, idle session timeout.
 */
const UNAVAILABLE_STATES = /^(08...|53300|57014|57P0[1-5])$/;

/**
 * SQLSTATEs of a transaction that lost a race and was rolled back by the
 * server, so running it again is safe (PostgreSQL §13.2.3 asks applications
 * to retry these): 40001 serialization_failure, 40P01 deadlock_detected.
 */
const RETRYABLE_STATES = new Set(['40001', '40P01']);

/**
 * Messages of node-postgres (pg, pg-pool) when a connection breaks or cannot be had in time. pg gives these errors no
 * code (pg/lib/client.js, pg-pool/index.js), so their text is all there is to go by.
 */
const UNAVAILABLE_MESSAGES = /connection terminated|timeout exceeded when trying to connect|connection timeout|client has encountered a connection error|cannot use a pool after calling end|terminating connection|the database system is (starting up|shutting down)|query read timeout/i;

interface ErrorShape {
  code?: unknown;
  message?: unknown;
  driverError?: unknown;
  cause?: unknown;
  errors?: unknown;
}

/** Walks an error, TypeORM's `QueryFailedError.driverError`, `cause` and `AggregateError.errors`, until `test` holds. */
function someError(error: unknown, test: (e: ErrorShape) => boolean, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 4) return false;
  const e = error as ErrorShape;
  if (test(e)) return true;
  if (Array.isArray(e.errors) && e.errors.some((inner) => someError(inner, test, depth + 1))) return true;
  return someError(e.driverError, test, depth + 1) || someError(e.cause, test, depth + 1);
}

/**
 * Whether a failure means "PostgreSQL is unreachable or overloaded right
 * now" (answered `503 temporarily_unavailable`, worth a retry) rather than a
 * bug. Looks through TypeORM's `QueryFailedError.driverError`, `cause` and
 * `AggregateError.errors` (a connect attempt to several addresses).
 *
 * TypeORM's released-query-runner errors count: when a connection dies
 * inside a transaction (`pg_terminate_backend`, a cut network), the pg
 * client's `error` event makes TypeORM release the query runner
 * (PostgresQueryRunner's `onErrorCallback`), and the transaction's next
 * statement throws `QueryRunnerAlreadyReleasedError` (or, through an
 * `EntityManager`, `QueryRunnerProviderAlreadyReleasedError`) instead of the
 * connection error itself. The server has rolled that transaction back.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  return someError(
    error,
    (e) =>
      e instanceof QueryRunnerAlreadyReleasedError ||
      e instanceof QueryRunnerProviderAlreadyReleasedError ||
      (typeof e.code === 'string' && (NETWORK_CODES.has(e.code) || UNAVAILABLE_STATES.test(e.code))) ||
      (typeof e.message === 'string' && UNAVAILABLE_MESSAGES.test(e.message)),
  );
}

/**
 * Whether a transaction failed because it lost a race that PostgreSQL
 * resolved by rolling it back (serialization failure, deadlock): safe to run
 * again as a whole; answered 503 only when the retries run out.
 */
export function isTransactionConflict(error: unknown): boolean {
  return someError(error, (e) => typeof e.code === 'string' && RETRYABLE_STATES.has(e.code));
}
