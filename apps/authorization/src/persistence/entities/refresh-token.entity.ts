import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A refresh token (stored as SHA-256). Rotated on every use; a used one coming back revokes the grant. */
@Entity({ name: 'refresh_token' })
export class RefreshTokenEntity {
  @PrimaryColumn({ name: 'token_hash', type: 'varchar', length: 64 })
  tokenHash: string;

  @Column({ name: 'grant_id', type: 'varchar', length: 64 })
  grantId: string;

  @Column({ name: 'client_id', type: 'varchar', length: 128 })
  clientId: string;

  /** RFC 6749 §6: a rotated refresh token keeps the scope of the one it replaces. */
  @Column({ type: 'text' })
  scope: string;

  @Column({ name: 'auth_time', type: 'timestamptz' })
  authTime: Date;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt: Date | null;

  /**
   * Refresh grace: the token response this token's rotation produced, sealed
   * with a key derived from this token's value (which is never stored), so it
   * can be handed out again only to whoever presents this token.
   */
  @Column({ name: 'successor_sealed', type: 'text', nullable: true })
  successorSealed: string | null;
}
