import { Column, Entity } from 'typeorm';
import { ClientIdColumn, IdColumn, TimestampColumn } from '#nest';

/** A revoked token, kept until the token would have expired anyway. */
@Entity({ name: 'revoked_token' })
export class RevokedTokenEntity {
  @IdColumn({ primary: true })
  jti: string;

  @ClientIdColumn()
  clientId: string;

  @Column({ type: 'varchar', length: 16 })
  tokenType: string;

  @TimestampColumn()
  expiresAt: Date;

  @TimestampColumn({ defaultNow: true })
  revokedAt: Date;
}
