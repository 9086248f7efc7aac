import { ClientIdColumn, IdColumn, TimestampColumn } from '#nest';

/**
 * What an authorization code and a refresh token have in common: each is a
 * credential a grant issued to its client, dies with that grant, carries the
 * sign-in time for the ID token (OIDC Core §2 `auth_time`) and expires.
 * Not a table of its own: each kind has its own (concrete table inheritance).
 */
export abstract class GrantCredentialEntity {
  @IdColumn()
  grantId: string;

  @ClientIdColumn()
  clientId: string;

  @TimestampColumn()
  authTime: Date;

  @TimestampColumn()
  expiresAt: Date;
}
