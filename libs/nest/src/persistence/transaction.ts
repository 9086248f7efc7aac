import type { DataSource, EntityManager } from 'typeorm';
import { suiteMetrics } from '../observability/metrics.js';
import { isDatabaseUnavailable, isTransactionConflict } from './database-outage.js';

/** Runs of a transaction that keeps losing serialization races or deadlocks (PostgreSQL §13.2.3: retry them). */
const CONFLICT_ATTEMPTS = 3;

/**
 * Runs again after a connection died before COMMIT: `pg_terminate_backend`
 * of every backend also kills the pool's idle connections, and the next one
 * taken may be dead too before the pool has heard of it (seen in
 * test/e2e/database-faults.test.ts: a retry's START TRANSACTION failing with
 * "Connection terminated unexpectedly").
 */
const CONNECTION_RETRIES = 2;

/**
 * A transaction whose connection died before COMMIT is run again only if
 * the failure came within this long: a connection killed under it
 * (`pg_terminate_backend`, a PostgreSQL restart) fails in milliseconds and a
 * fresh connection usually works, while a pool that cannot connect waits
 * `DATABASE_CONNECT_TIMEOUT_MS` (2 s) per try, which a retry would only double.
 */
const CONNECTION_RETRY_WITHIN_MS = 1000;

type Phase = 'begin' | 'work' | 'commit';

/**
 * Runs `work` in one transaction (a change and its outbox event: both or
 * neither) and runs it again, from the start on a fresh connection, when the
 * failure left nothing committed:
 *
 * - a serialization failure or deadlock (40001, 40P01; PostgreSQL rolled the
 *   transaction back), up to 3 runs in all;
 * - the connection dying before COMMIT was sent (the server rolls back a
 *   transaction whose session ends), twice at most, when it failed fast.
 *
 * A connection lost while COMMIT was on its way is never retried: whether it
 * committed is unknown, so the caller answers 503 and the client retries (a
 * registration retried makes a second client, never half of one). `work` must
 * have no effect outside the transaction that a second run would repeat.
 */
export async function inTransaction<T>(dataSource: DataSource, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  const started = Date.now();
  let connectionRetries = 0;
  for (let attempt = 1; ; attempt++) {
    const { result, error, phase } = await runOnce(dataSource, work);
    if (phase === undefined) return result as T;
    if (isTransactionConflict(error) && attempt < CONFLICT_ATTEMPTS) {
      suiteMetrics().transactionRetries.inc({ reason: 'conflict' });
      // A little jitter so that the two sides of a deadlock do not meet again.
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20));
      continue;
    }
    if (phase !== 'commit' && connectionRetries < CONNECTION_RETRIES && isDatabaseUnavailable(error) && Date.now() - started < CONNECTION_RETRY_WITHIN_MS) {
      connectionRetries++;
      suiteMetrics().transactionRetries.inc({ reason: 'connection' });
      continue;
    }
    throw error;
  }
}

async function runOnce<T>(dataSource: DataSource, work: (manager: EntityManager) => Promise<T>): Promise<{ result?: T; error?: unknown; phase?: Phase }> {
  const runner = dataSource.createQueryRunner();
  let phase: Phase = 'begin';
  try {
    await runner.startTransaction();
    phase = 'work';
    const result = await work(runner.manager);
    phase = 'commit';
    await runner.commitTransaction();
    return { result };
  } catch (error: unknown) {
    // A runner whose connection died was released by TypeORM already; PostgreSQL rolls its transaction back itself.
    if (!runner.isReleased && runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
    return { error, phase };
  } finally {
    await runner.release().catch(() => undefined);
  }
}
