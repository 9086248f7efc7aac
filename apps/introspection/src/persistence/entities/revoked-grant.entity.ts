import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A revoked grant (`grant.revoked`): its access tokens issued up to
 * `revoked_at` are inactive. Kept until the last of them would have expired.
 */
@Entity({ name: 'revoked_grant' })
export class RevokedGrantEntity {
  @PrimaryColumn({ name: 'grant_id', type: 'varchar', length: 128 })
  grantId: string;

  @Column({ name: 'client_id', type: 'varchar', length: 128 })
  clientId: string;

  @Column({ name: 'revoked_at', type: 'timestamptz' })
  revokedAt: Date;

  @Column({ name: 'keep_until', type: 'timestamptz' })
  keepUntil: Date;
}
