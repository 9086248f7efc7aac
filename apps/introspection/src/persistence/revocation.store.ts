import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { EventEnvelope, TokenRevokedData } from '#contracts';
import { Outbox, type ExpiringRows } from '#nest';
import { RevokedTokenEntity } from './entities/revoked-token.entity.js';

@Injectable()
export class RevocationStore {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
  ) {}

  /**
   * Records a revocation and its `token.revoked` event in one transaction
   * (transactional outbox); null when the token was already revoked (nothing
   * written). Publish the event after the commit.
   */
  async revoke(revocation: TokenRevokedData, requestId?: string): Promise<EventEnvelope<'token.revoked'> | null> {
    return this.dataSource.transaction(async (manager) => {
      const inserted: unknown[] = await manager.query(
        `INSERT INTO revoked_token (jti, client_id, token_type, expires_at) VALUES ($1, $2, $3, $4) ON CONFLICT (jti) DO NOTHING RETURNING jti`,
        [revocation.jti, revocation.client_id, revocation.token_type, new Date(revocation.exp * 1000)],
      );
      if (inserted.length === 0) return null;
      return this.outbox.add(manager, 'token.revoked', revocation, { requestId });
    });
  }

  /** `token.revoked` events of `jti` still waiting in the outbox (a client retrying after a 503). */
  unannounced(jti: string): Promise<Array<EventEnvelope<'token.revoked'>>> {
    return this.outbox.pendingFor('token.revoked', 'jti', jti);
  }

  /** Publishes committed events now, in order; throws when the broker does not take one (the relay retries). */
  announce(events: ReadonlyArray<EventEnvelope<'token.revoked'>>): Promise<void> {
    return this.outbox.publish(events as readonly EventEnvelope[]);
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

  /**
   * For the janitor: a revocation matters until its token expires (the
   * catch-up loads only those, {@link live}); kept five minutes more for
   * clocks that disagree.
   */
  expiredRows(): ExpiringRows {
    return { table: 'revoked_token', key: 'jti', pastHorizon: `expires_at < now() - interval '5 minutes'` };
  }
}
