import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
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
   * atomic upsert per key, and answers false when the username or the address
   * is over its limit. Counting first means parallel guesses cannot all slip
   * past a check made before any of them was counted. A successful login
   * takes its count back ({@link recordSuccess}).
   */
  async reserveAttempt(username: string, address: string): Promise<boolean> {
    let allowed = true;
    for (const { key, max } of this.keys(username, address)) {
      const rows = returningRows<{ failures: number }>(
        await this.dataSource.query(
          `INSERT INTO login_throttle (key, failures, window_started_at) VALUES ($1, 1, now())
           ON CONFLICT (key) DO UPDATE SET
             failures = CASE WHEN login_throttle.window_started_at > now() - make_interval(secs => $2) THEN login_throttle.failures + 1 ELSE 1 END,
             window_started_at = CASE WHEN login_throttle.window_started_at > now() - make_interval(secs => $2) THEN login_throttle.window_started_at ELSE now() END
           RETURNING failures`,
          [key, this.config.LOGIN_THROTTLE_WINDOW_SECONDS],
        ),
      );
      if ((rows[0]?.failures ?? 0) > max) allowed = false;
    }
    return allowed;
  }

  /**
   * A successful login clears the username's count and takes back the
   * address's count of this attempt (earlier failures from that address stay:
   * one good account does not excuse a spraying address).
   */
  async recordSuccess(username: string, address: string): Promise<void> {
    const [user, addr] = this.keys(username, address);
    await this.dataSource.query(`DELETE FROM login_throttle WHERE key = $1`, [user!.key]);
    await this.dataSource.query(`UPDATE login_throttle SET failures = greatest(failures - 1, 0) WHERE key = $1`, [addr!.key]);
  }

  async purgeExpired(): Promise<void> {
    await this.dataSource.query(`DELETE FROM login_throttle WHERE window_started_at < now() - make_interval(secs => $1)`, [this.config.LOGIN_THROTTLE_WINDOW_SECONDS]);
  }
}
