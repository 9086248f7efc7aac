import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
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

  async purgeExpired(): Promise<void> {
    await this.dataSource.query(`DELETE FROM refresh_token WHERE expires_at < now()`);
  }
}
