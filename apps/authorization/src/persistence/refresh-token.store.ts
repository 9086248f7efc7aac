import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { ExpiringRows } from '#nest';
import { RefreshTokenEntity } from './entities/refresh-token.entity.js';
import { returningRows } from './returning.js';

/** A refresh token as issued (its SHA-256 only). */
export type NewRefreshToken = Pick<RefreshTokenEntity, 'tokenHash' | 'grantId' | 'clientId' | 'scope' | 'authTime' | 'expiresAt' | 'dpopJkt'>;

interface SpentRow {
  token_hash: string;
  grant_id: string;
  client_id: string;
  auth_time: Date;
  expires_at: Date;
  scope: string;
  created_at: Date;
  dpop_jkt: string | null;
  successor_sealed: string | null;
  used_before: Date | null;
}

/** The `refresh_token` table (tokens by SHA-256 only). */
@Injectable()
export class RefreshTokenStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(manager: EntityManager, token: NewRefreshToken): Promise<void> {
    await manager.getRepository(RefreshTokenEntity).insert({ ...token, usedAt: null });
  }

  find(tokenHash: string): Promise<RefreshTokenEntity | null> {
    return this.dataSource.getRepository(RefreshTokenEntity).findOneBy({ tokenHash });
  }

  /**
   * The token as it was (`usedAt` before this call), locked until the caller's transaction ends (concurrent
   * presentations of one token rotate it once), and marked used now if it was not: the lock and the mark in
   * one round trip (issue #20). The caller rolls the transaction back when the token may not rotate, which
   * takes the mark back with it; a token already spent keeps its first `used_at`.
   */
  async lockAndSpend(manager: EntityManager, tokenHash: string): Promise<RefreshTokenEntity | null> {
    const [row] = returningRows<SpentRow>(
      await manager.query(
        `UPDATE refresh_token t SET used_at = COALESCE(t.used_at, now())
           FROM (SELECT token_hash, used_at FROM refresh_token WHERE token_hash = $1 FOR UPDATE) AS before
          WHERE t.token_hash = before.token_hash
          RETURNING t.token_hash, t.grant_id, t.client_id, t.auth_time, t.expires_at, t.scope, t.created_at, t.dpop_jkt, t.successor_sealed,
                    before.used_at AS used_before`,
        [tokenHash],
      ),
    );
    if (!row) return null;
    return Object.assign(new RefreshTokenEntity(), {
      tokenHash: row.token_hash,
      grantId: row.grant_id,
      clientId: row.client_id,
      authTime: new Date(row.auth_time),
      expiresAt: new Date(row.expires_at),
      scope: row.scope,
      createdAt: new Date(row.created_at),
      dpopJkt: row.dpop_jkt,
      usedAt: row.used_before === null ? null : new Date(row.used_before),
      successorSealed: row.successor_sealed,
    });
  }

  /** Keeps the sealed response of a token spent less than `graceSeconds` ago, once; whether it was kept. */
  async seal(tokenHash: string, sealed: string, graceSeconds: number): Promise<boolean> {
    const rows = returningRows<{ token_hash: string }>(
      await this.dataSource.query(
        `UPDATE refresh_token SET successor_sealed = $2
          WHERE token_hash = $1 AND used_at IS NOT NULL AND successor_sealed IS NULL AND used_at > now() - make_interval(secs => $3)
          RETURNING token_hash`,
        [tokenHash, sealed, graceSeconds],
      ),
    );
    return rows.length === 1;
  }

  /**
   * For the janitor: a token is kept until it expires, and a rotated one no
   * longer than `reuseDetectionSeconds` after its rotation (the reuse-detection
   * horizon, see AuthorizationConfig REFRESH_REUSE_DETECTION_SECONDS). A token
   * whose row is gone is unknown, so refused (`invalid_grant`) without
   * revoking its grant. Two kinds of rows, each found through its own index.
   */
  expiredRows(reuseDetectionSeconds: number): ExpiringRows[] {
    return [
      { table: 'refresh_token', key: 'token_hash', pastHorizon: `expires_at < now()` },
      { table: 'refresh_token', name: 'refresh_token_rotated', key: 'token_hash', pastHorizon: `used_at < now() - make_interval(secs => $1)`, parameters: [reuseDetectionSeconds] },
    ];
  }
}
