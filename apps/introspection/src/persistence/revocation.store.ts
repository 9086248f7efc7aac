import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { RevokedTokenEntity } from './entities/revoked-token.entity.js';

@Injectable()
export class RevocationStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Records a revocation; idempotent. */
  async add(jti: string, clientId: string, tokenType: string, expiresAt: Date): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO revoked_token (jti, client_id, token_type, expires_at) VALUES ($1, $2, $3, $4) ON CONFLICT (jti) DO NOTHING`,
      [jti, clientId, tokenType, expiresAt],
    );
  }

  /** Revocations of tokens that have not expired yet. */
  async live(): Promise<Array<{ jti: string; expiresAt: Date }>> {
    return this.dataSource
      .getRepository(RevokedTokenEntity)
      .createQueryBuilder('r')
      .select(['r.jti', 'r.expiresAt'])
      .where('r.expires_at > now()')
      .getMany();
  }

  async purgeExpired(): Promise<void> {
    await this.dataSource.query(`DELETE FROM revoked_token WHERE expires_at < now() - interval '5 minutes'`);
  }
}
