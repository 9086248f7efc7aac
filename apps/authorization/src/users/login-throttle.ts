import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AuthorizationConfig } from '../config/authorization.config.js';

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

  /** True when either the username or the address has used up its failures in the current window. */
  async isLocked(username: string, address: string): Promise<boolean> {
    const keys = this.keys(username, address);
    const rows: Array<{ key: string; failures: number }> = await this.dataSource.query(
      `SELECT key, failures FROM login_throttle WHERE key = ANY($1) AND window_started_at > now() - make_interval(secs => $2)`,
      [keys.map((k) => k.key), this.config.LOGIN_THROTTLE_WINDOW_SECONDS],
    );
    return rows.some((row) => row.failures >= (keys.find((k) => k.key === row.key)?.max ?? Infinity));
  }

  async recordFailure(username: string, address: string): Promise<void> {
    for (const { key } of this.keys(username, address)) {
      await this.dataSource.query(
        `INSERT INTO login_throttle (key, failures, window_started_at) VALUES ($1, 1, now())
         ON CONFLICT (key) DO UPDATE SET
           failures = CASE WHEN login_throttle.window_started_at > now() - make_interval(secs => $2) THEN login_throttle.failures + 1 ELSE 1 END,
           window_started_at = CASE WHEN login_throttle.window_started_at > now() - make_interval(secs => $2) THEN login_throttle.window_started_at ELSE now() END`,
        [key, this.config.LOGIN_THROTTLE_WINDOW_SECONDS],
      );
    }
  }

  /** A successful login clears the username's count (not the address's: one good account does not excuse a spraying address). */
  async recordSuccess(username: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM login_throttle WHERE key = $1`, [`user:${username.toLowerCase().slice(0, 150)}`]);
  }

  async purgeExpired(): Promise<void> {
    await this.dataSource.query(`DELETE FROM login_throttle WHERE window_started_at < now() - make_interval(secs => $1)`, [this.config.LOGIN_THROTTLE_WINDOW_SECONDS]);
  }
}
