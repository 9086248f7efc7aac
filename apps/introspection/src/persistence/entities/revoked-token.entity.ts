import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A revoked token, kept until the token would have expired anyway. */
@Entity({ name: 'revoked_token' })
export class RevokedTokenEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  jti: string;

  @Column({ name: 'client_id', type: 'varchar', length: 128 })
  clientId: string;

  @Column({ name: 'token_type', type: 'varchar', length: 16 })
  tokenType: string;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ name: 'revoked_at', type: 'timestamptz', default: () => 'now()' })
  revokedAt: Date;
}
