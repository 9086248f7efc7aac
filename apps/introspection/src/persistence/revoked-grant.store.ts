import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { ExpiringRows } from '#nest';
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

  /**
   * For the janitor: a grant revocation matters until `keep_until`
   * (`revoked_at` + GRANT_REVOCATION_KEEP_SECONDS: the last access token of
   * the grant has expired by then; the catch-up loads only rows before it,
   * {@link live}); kept five minutes more for clocks that disagree. A replica
   * catching up replays two hours of `grant.revoked` from the stream anyway,
   * so the table is not its only source.
   */
  expiredRows(): ExpiringRows {
    return { table: 'revoked_grant', key: 'grant_id', pastHorizon: `keep_until < now() - interval '5 minutes'` };
  }
}
