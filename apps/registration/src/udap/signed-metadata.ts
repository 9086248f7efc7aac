import { randomUUID } from 'node:crypto';
import type { ServerSigner } from './server-signer.js';

/** How long a `signed_metadata` JWT is valid (UDAP Security 2.0 §2.3 allows up to a year; clients fetch it anew). */
export const SIGNED_METADATA_LIFETIME_SECONDS = 3600;

/**
 * `signed_metadata` (UDAP Security 2.0 §2.3): `iss` = `sub` = the base URL
 * the document is served under (a SAN URI of the signing certificate), `iat`,
 * `exp` (an hour on, never past the certificate's end), `jti`, and the
 * authorization, token and registration endpoints, signed with `x5c`.
 * Null when the certificate does not name `baseUrl` or is outside its validity period.
 */
export async function signedMetadata(signer: ServerSigner, baseUrl: string, issuer: string, now = Date.now()): Promise<string | null> {
  const leaf = signer.leaf;
  if (!leaf.uris().includes(baseUrl) || !leaf.validAt(new Date(now))) return null;
  const iat = Math.floor(now / 1000);
  const exp = Math.min(iat + SIGNED_METADATA_LIFETIME_SECONDS, Math.floor(leaf.notAfter.getTime() / 1000));
  return signer.sign({
    iss: baseUrl,
    sub: baseUrl,
    iat,
    exp,
    jti: randomUUID(),
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${issuer}/token`,
    registration_endpoint: `${issuer}/register`,
  });
}
