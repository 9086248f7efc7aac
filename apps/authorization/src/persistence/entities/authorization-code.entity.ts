import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A single-use authorization code (stored as SHA-256), bound to client, redirect URI and PKCE challenge. */
@Entity({ name: 'authorization_code' })
export class AuthorizationCodeEntity {
  @PrimaryColumn({ name: 'code_hash', type: 'varchar', length: 64 })
  codeHash: string;

  @Column({ name: 'grant_id', type: 'varchar', length: 64 })
  grantId: string;

  @Column({ name: 'client_id', type: 'varchar', length: 128 })
  clientId: string;

  @Column({ name: 'redirect_uri', type: 'text' })
  redirectUri: string;

  /** RFC 6749 §4.1.3: the token request must repeat redirect_uri when the authorization request carried it. */
  @Column({ name: 'redirect_uri_sent', type: 'boolean' })
  redirectUriSent: boolean;

  @Column({ name: 'code_challenge', type: 'varchar', length: 128 })
  codeChallenge: string;

  @Column({ type: 'text', nullable: true })
  nonce: string | null;

  @Column({ name: 'auth_time', type: 'timestamptz' })
  authTime: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ name: 'redeemed_at', type: 'timestamptz', nullable: true })
  redeemedAt: Date | null;
}
