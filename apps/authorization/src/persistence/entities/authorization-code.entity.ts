import { Column, Entity } from 'typeorm';
import { Sha256Column, TimestampColumn } from '#nest';
import { GrantCredentialEntity } from './grant-credential.entity.js';

/** A single-use authorization code (stored as SHA-256), bound to client, redirect URI and PKCE challenge. */
@Entity({ name: 'authorization_code' })
export class AuthorizationCodeEntity extends GrantCredentialEntity {
  @Sha256Column({ primary: true })
  codeHash: string;

  @Column({ type: 'text' })
  redirectUri: string;

  /** RFC 6749 §4.1.3: the token request must repeat redirect_uri when the authorization request carried it. */
  @Column({ type: 'boolean' })
  redirectUriSent: boolean;

  @Column({ type: 'varchar', length: 128 })
  codeChallenge: string;

  @Column({ type: 'text', nullable: true })
  nonce: string | null;

  /** RFC 9449 §10: the thumbprint of the DPoP key the code is bound to (`dpop_jkt`). */
  @Column({ type: 'varchar', length: 64, nullable: true })
  dpopJkt: string | null;

  @TimestampColumn({ nullable: true })
  redeemedAt: Date | null;
}
