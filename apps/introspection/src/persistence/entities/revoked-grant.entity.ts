import { Entity, PrimaryColumn } from 'typeorm';
import { ClientIdColumn, TimestampColumn } from '#nest';

/**
 * A revoked grant (`grant.revoked`): its access tokens issued up to
 * `revoked_at` are inactive. Kept until the last of them would have expired.
 */
@Entity({ name: 'revoked_grant' })
export class RevokedGrantEntity {
  @PrimaryColumn({ type: 'varchar', length: 128 })
  grantId: string;

  @ClientIdColumn()
  clientId: string;

  @TimestampColumn()
  revokedAt: Date;

  @TimestampColumn()
  keepUntil: Date;
}
