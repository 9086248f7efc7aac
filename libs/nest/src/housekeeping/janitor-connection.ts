import pg from 'pg';

/** What a statement of a round answers. */
export interface JanitorResult {
  rows: Array<Record<string, unknown>>;
  rowCount: number | null;
}

/**
 * The one connection a janitor round runs on. It holds the round's advisory
 * lock (a session-level lock belongs to the connection's session), so every
 * statement of the round goes through it: a round that lost its connection,
 * and with it the lock, cannot delete anything more.
 */
export interface JanitorConnection {
  query(sql: string, parameters?: unknown[]): Promise<JanitorResult>;
  end(): Promise<void>;
}

export type JanitorConnector = () => Promise<JanitorConnection>;

/**
 * A connection of its own to `url` for each round, outside the service's
 * pool: a round never takes a request's place in the pool, and ending the
 * connection ends the session, which releases its advisory lock whatever
 * happened (a lock can never stay behind in a pooled connection).
 */
export function pgJanitorConnector(url: string, options: { connectTimeoutMs?: number; statementTimeoutMs?: number } = {}): JanitorConnector {
  return async () => {
    const client = new pg.Client({
      connectionString: url,
      application_name: 'janitor',
      connectionTimeoutMillis: options.connectTimeoutMs ?? 2000,
      ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
    });
    // A FATAL read while idle (pg_terminate_backend) is emitted as `error`: without a listener Node would crash; the next query fails instead.
    client.on('error', () => undefined);
    try {
      await client.connect();
    } catch (err: unknown) {
      await client.end().catch(() => undefined);
      throw err;
    }
    return {
      query: (sql, parameters = []) => client.query(sql, parameters),
      end: () => client.end(),
    };
  };
}
