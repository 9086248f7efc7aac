import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { ExpiringRows } from '#nest';
import { RefreshTokenEntity } from './entities/refresh-token.entity.js';
import { returningRows } from './returning.js';

/** A refresh token as issued (its SHA-256 only). */
export type NewRefreshToken = Pick<RefreshTokenEntity, 'tokenHash' | 'grantId' | 'clientId' | 'scope' | 'authTime' | 'expiresAt' | 'dpopJkt'>;

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

  /** The token, locked until the caller's transaction ends: concurrent presentations of one token rotate it once. */
  lockForRotation(manager: EntityManager, tokenHash: string): Promise<RefreshTokenEntity | null> {
    return manager.getRepository(RefreshTokenEntity).findOne({ where: { tokenHash }, lock: { mode: 'pessimistic_write' } });
  }

  async markUsed(manager: EntityManager, tokenHash: string): Promise<void> {
    await manager.getRepository(RefreshTokenEntity).update({ tokenHash }, { usedAt: new Date() });
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
