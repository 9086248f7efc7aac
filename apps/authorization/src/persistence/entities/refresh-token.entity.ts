import { Column, Entity } from 'typeorm';
import { Sha256Column, TimestampColumn } from '#nest';
import { GrantCredentialEntity } from './grant-credential.entity.js';

/** A refresh token (stored as SHA-256). Rotated on every use; a used one coming back revokes the grant. */
@Entity({ name: 'refresh_token' })
export class RefreshTokenEntity extends GrantCredentialEntity {
  @Sha256Column({ primary: true })
  tokenHash: string;

  /** RFC 6749 §6: a rotated refresh token keeps the scope of the one it replaces. */
  @Column({ type: 'text' })
  scope: string;

  @TimestampColumn({ defaultNow: true })
  createdAt: Date;

  /** RFC 9449 §5: a public client's refresh token is bound to its DPoP key (this thumbprint), and so are its successors. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  dpopJkt: string | null;

  @TimestampColumn({ nullable: true })
  usedAt: Date | null;

  /**
   * Refresh grace: the token response this token's rotation produced, sealed
   * with a key derived from this token's value (which is never stored), so it
   * can be handed out again only to whoever presents this token.
   */
  @Column({ type: 'text', nullable: true })
  successorSealed: string | null;
}
