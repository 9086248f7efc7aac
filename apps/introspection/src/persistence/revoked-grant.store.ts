import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { RevokedGrantEntity } from './entities/revoked-grant.entity.js';

/** The grants revoked while some of their access tokens may still be unexpired. */
@Injectable()
export class RevokedGrantStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Records a revocation; idempotent (every replica records each event it hears). */
  async add(grantId: string, clientId: string, revokedAt: Date, keepUntil: Date): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO revoked_grant (grant_id, client_id, revoked_at, keep_until) VALUES ($1, $2, $3, $4) ON CONFLICT (grant_id) DO NOTHING`,
      [grantId, clientId, revokedAt, keepUntil],
    );
  }

  /** Revocations still to be enforced. */
  async live(): Promise<Array<{ grantId: string; revokedAt: Date; keepUntil: Date }>> {
    return this.dataSource
      .getRepository(RevokedGrantEntity)
      .createQueryBuilder('g')
      .select(['g.grantId', 'g.revokedAt', 'g.keepUntil'])
      .where('g.keep_until > now()')
      .getMany();
  }

  async purgeExpired(): Promise<void> {
    await this.dataSource.query(`DELETE FROM revoked_grant WHERE keep_until < now()`);
  }
}
