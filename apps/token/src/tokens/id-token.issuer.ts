import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { AuthorizedGrant, ClientRecord } from '#contracts';
import { SigningKeyRing } from '#nest';
import { UnauthorizedClient, type ScopeSet } from '#oauth';
import { ID_TOKEN_SIGNING_ALGS, TokenConfig } from '../config/token.config.js';

/** OIDC Core §3.1.3.6: `at_hash` uses the hash function of the ID token's JWS algorithm (SHA-256 for RS256/ES256, …). */
const HASH_BY_SIZE: Record<string, string> = { '256': 'sha256', '384': 'sha384', '512': 'sha512' };

/**
 * OpenID Connect ID tokens (OIDC Core §2), signed through the key ring with
 * the algorithm the client registered (`id_token_signed_response_alg`, OIDC
 * Registration §2) or the configured default (RS256: OIDC Core §15.1, and the
 * only one Inferno accepts).
 */
@Injectable()
export class IdTokenIssuer {
  constructor(
    private readonly config: TokenConfig,
    private readonly keys: SigningKeyRing,
  ) {}

  /** The algorithm this client's ID tokens are signed with; a registered one we cannot honour is refused, never substituted. */
  algorithmFor(client: ClientRecord): string {
    const registered = client.metadata.id_token_signed_response_alg;
    if (registered === undefined) return this.config.ID_TOKEN_ALG;
    if (!ID_TOKEN_SIGNING_ALGS.includes(registered)) {
      throw new UnauthorizedClient(`ID tokens cannot be signed with ${String(registered).slice(0, 20)} here`);
    }
    return registered;
  }

  /**
   * Throws now (503, or unauthorized_client) if this client's ID token could
   * not be signed, so a grant is not redeemed for a response that would fail.
   */
  checkSignable(client: ClientRecord): void {
    this.keys.current(this.algorithmFor(client));
  }

  /** The ID token accompanying `accessToken`, issued from `grant` (whose scope is `granted`) to `client`. */
  async issue(client: ClientRecord, grant: AuthorizedGrant, granted: ScopeSet, accessToken: string): Promise<string> {
    const alg = this.algorithmFor(client);
    const key = this.keys.current(alg);
    const iat = Math.floor(Date.now() / 1000);
    // OIDC Core §2; on refresh (§12.2) the same iss, sub, aud, azp and auth_time, a new iat, and no nonce.
    const claims: Record<string, unknown> = {
      iss: this.config.ISSUER,
      sub: grant.sub,
      aud: client.client_id,
      azp: client.client_id,
      iat,
      exp: iat + this.config.ID_TOKEN_TTL_SECONDS,
      auth_time: grant.auth_time,
      at_hash: accessTokenHash(accessToken, alg),
    };
    if (grant.nonce !== undefined) claims.nonce = grant.nonce;
    // SMART App Launch 2.2 §"Scopes for requesting identity data": fhirUser.
    if (grant.fhirUser !== undefined) claims.fhirUser = grant.fhirUser;
    // OIDC Core §5.4: `name` belongs to the `profile` scope.
    if (grant.name !== undefined && granted.has('profile')) claims.name = grant.name;
    return key.sign(claims, 'JWT');
  }
}

/** OIDC Core §3.1.3.6: base64url of the left half of the hash of the access token's ASCII octets. */
function accessTokenHash(accessToken: string, alg: string): string {
  const hash = HASH_BY_SIZE[alg.slice(-3)];
  if (!hash) throw new Error(`no at_hash function for ${alg}`);
  const digest = createHash(hash).update(accessToken, 'ascii').digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}
