import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { inTransaction, type ExpiringRows } from '#nest';
import { AuthorizationConfig } from '../config/authorization.config.js';
import { returningRows } from '../persistence/returning.js';

/**
 * Failed-login throttling per username and per client address, in the
 * database so every replica counts the same failures. A locked key stays
 * locked until its window ends. Unknown usernames are counted too, so the
 * lock tells nothing about which accounts exist.
 */
@Injectable()
export class LoginThrottle {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AuthorizationConfig,
  ) {}

  private keys(username: string, address: string): Array<{ key: string; max: number }> {
    return [
      { key: `user:${username.toLowerCase().slice(0, 150)}`, max: this.config.LOGIN_MAX_FAILURES_PER_USER },
      { key: `addr:${address.slice(0, 150)}`, max: this.config.LOGIN_MAX_FAILURES_PER_ADDRESS },
    ];
  }

  /**
   * Counts this attempt as a failure before the password is checked, in one
   * atomic upsert of both keys, and answers false when the username or the
   * address is over its limit. Counting first means parallel guesses cannot
   * all slip past a check made before any of them was counted. A successful
   * login takes its count back ({@link recordSuccess}); an attempt that never
   * got a verdict gives it back ({@link release}).
   */
  async reserveAttempt(username: string, address: string): Promise<boolean> {
    const [user, addr] = this.keys(username, address);
    const rows = returningRows<{ key: string; failures: number }>(
      await this.counted(
        `INSERT INTO login_throttle (key, failures, window_started_at) VALUES ($1, 1, now()), ($2, 1, now())
         ON CONFLICT (key) DO UPDATE SET
           failures = CASE WHEN login_throttle.window_started_at > now() - make_interval(secs => $3) THEN login_throttle.failures + 1 ELSE 1 END,
           window_started_at = CASE WHEN login_throttle.window_started_at > now() - make_interval(secs => $3) THEN login_throttle.window_started_at ELSE now() END
         RETURNING key, failures`,
        [user!.key, addr!.key, this.config.LOGIN_THROTTLE_WINDOW_SECONDS],
      ),
    );
    const limits = new Map([[user!.key, user!.max], [addr!.key, addr!.max]]);
    return rows.every((row) => row.failures <= (limits.get(row.key) ?? 0));
  }

  /**
   * A successful login clears the username's count and takes back the
   * address's count of this attempt (earlier failures from that address stay:
   * one good account does not excuse a spraying address). One statement, so
   * that a connection lost half way cannot leave one key settled and not the other.
   */
  async recordSuccess(username: string, address: string): Promise<void> {
    const [user, addr] = this.keys(username, address);
    await this.counted(
      `WITH cleared AS (DELETE FROM login_throttle WHERE key = $1)
       UPDATE login_throttle SET failures = greatest(failures - 1, 0) WHERE key = $2`,
      [user!.key, addr!.key],
    );
  }

  /**
   * Gives back the count of an attempt that failed before its password was
   * judged or its success recorded (the database or the hasher failed, not
   * the person): a person who retries a page that answered 503 is not locked
   * out by the outage. A wrong password is never given back.
   */
  async release(username: string, address: string): Promise<void> {
    const [user, addr] = this.keys(username, address);
    await this.counted(`UPDATE login_throttle SET failures = greatest(failures - 1, 0) WHERE key = ANY($1)`, [[user!.key, addr!.key]]);
  }

  /**
   * One statement on the counts, run again on a fresh connection when the
   * one it was given had died before COMMIT ({@link inTransaction}): after
   * `pg_terminate_backend` the pool's next connection is often dead too, and
   * a count not given back on a dead connection would lock a person out.
   */
  private counted(sql: string, parameters: unknown[]): Promise<unknown> {
    return inTransaction(this.dataSource, (manager) => manager.query(sql, parameters));
  }

  /** For the janitor: a key's count matters until its window ends. */
  expiredRows(): ExpiringRows {
    return { table: 'login_throttle', key: 'key', pastHorizon: `window_started_at < now() - make_interval(secs => $1)`, parameters: [this.config.LOGIN_THROTTLE_WINDOW_SECONDS] };
  }
}
