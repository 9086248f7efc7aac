import { Inject, Injectable } from '@nestjs/common';
import type { JWTPayload } from 'jose';
import type { ClientRecord, IntrospectionCaller, IntrospectionRequest, IntrospectionResponseBody, RevocationRequest } from '#contracts';
import { ClientAuthenticator, ClientDirectory, EventBus, PublicKeyRing } from '#nest';
import { InsufficientScope, InvalidRequest, InvalidToken, TemporarilyUnavailable, UnauthorizedClient } from '#oauth';
import { IntrospectionConfig } from '../config/introspection.config.js';
import { RevocationStore } from '../persistence/revocation.store.js';
import { TokenStateService } from './token-state.service.js';
import { VerifiedTokenCache } from './verified-token.cache.js';

const INACTIVE: IntrospectionResponseBody = { active: false };
const CONTEXT_CLAIMS = ['patient', 'encounter', 'fhirUser'] as const;

interface AccessTokenClaims extends JWTPayload {
  jti: string;
  client_id: string;
  scope: string;
  sub: string;
  exp: number;
  iat: number;
}

function isPrivileged(scope: string | undefined): boolean {
  const scopes = (scope ?? '').split(' ');
  return scopes.includes('introspect') || scopes.includes('admin');
}

/** RFC 7662 introspection and RFC 7009 revocation of our JWT access tokens. */
@Injectable()
export class IntrospectionService {
  private readonly verified = new VerifiedTokenCache<AccessTokenClaims>();

  constructor(
    private readonly config: IntrospectionConfig,
    private readonly keys: PublicKeyRing,
    private readonly directory: ClientDirectory,
    private readonly authenticator: ClientAuthenticator,
    private readonly state: TokenStateService,
    private readonly store: RevocationStore,
    @Inject(EventBus) private readonly events: EventBus,
  ) {}

  /** A valid, unrevoked access token of ours whose client still exists, or null. No database access. */
  async activeClaims(token: string): Promise<AccessTokenClaims | null> {
    if (typeof token !== 'string' || token.length > 8192 || token.split('.').length !== 3) return null;
    const claims = this.verified.get(token, Math.floor(Date.now() / 1000)) ?? (await this.verify(token));
    if (!claims) return null;
    if (this.state.revoked.has(claims.jti)) return null;
    // A deleted client's tokens are inactive (RFC 7592 §2.3).
    if (!(await this.directory.get(claims.client_id))) return null;
    return claims as AccessTokenClaims;
  }

  private async verify(token: string): Promise<AccessTokenClaims | null> {
    let payload: JWTPayload;
    try {
      payload = await this.keys.verify(token, { issuer: this.config.ISSUER, typ: 'at+jwt' });
    } catch {
      return null;
    }
    const claims = payload as Partial<AccessTokenClaims>;
    if (typeof claims.jti !== 'string' || typeof claims.client_id !== 'string' || typeof claims.exp !== 'number') return null;
    this.verified.set(token, claims as AccessTokenClaims);
    return claims as AccessTokenClaims;
  }

  async introspect(request: IntrospectionRequest): Promise<IntrospectionResponseBody> {
    const privileged = await this.authorizeCaller(request.caller);
    const token = request.params.token;
    if (!token) throw new InvalidRequest('token is required');
    const claims = await this.activeClaims(token);
    if (!claims) return INACTIVE;
    // A caller without the introspect scope may only look at its own tokens (RFC 7662 §4: no token scanning).
    if (privileged !== true && privileged.client_id !== claims.client_id) return INACTIVE;
    const response: IntrospectionResponseBody = {
      active: true,
      scope: claims.scope,
      client_id: claims.client_id,
      sub: claims.sub,
      exp: claims.exp,
      iat: claims.iat,
      iss: this.config.ISSUER,
      aud: claims.aud as string | string[],
      token_type: 'Bearer',
      jti: claims.jti,
    };
    for (const name of CONTEXT_CLAIMS) {
      const value = claims[name];
      if (typeof value === 'string') response[name] = value;
    }
    return response;
  }

  /** true for a caller allowed to introspect any token, else the client that may see only its own. */
  private async authorizeCaller(caller: IntrospectionCaller): Promise<true | ClientRecord> {
    if (caller?.method === 'bearer') {
      const claims = await this.activeClaims(caller.token);
      if (!claims) throw new InvalidToken('the bearer token is not valid');
      if (!isPrivileged(claims.scope)) throw new InsufficientScope('introspection needs the introspect scope', { scope: 'introspect' });
      return true;
    }
    const client = await this.authenticator.authenticate(caller);
    return isPrivileged(client.metadata.scope) ? true : client;
  }

  async revoke(request: RevocationRequest): Promise<{ revoked: boolean }> {
    const client = await this.authenticator.authenticate(request.auth);
    const token = request.params.token;
    if (!token) throw new InvalidRequest('token is required');
    // RFC 7009 §2.1: the hint only speeds up the search; every token type is searched. Only access tokens exist so far.
    const claims = await this.activeClaims(token);
    if (!claims) return { revoked: false };
    if (claims.client_id !== client.client_id) throw new UnauthorizedClient('the token was not issued to this client');
    await this.store.add(claims.jti, claims.client_id, 'access_token', new Date(claims.exp * 1000));
    this.state.revoked.add(claims.jti, claims.exp);
    try {
      await this.events.publish(
        'token.revoked',
        { jti: claims.jti, client_id: claims.client_id, token_type: 'access_token', exp: claims.exp, reason: 'client_request' },
        { source: 'introspection', requestId: request.requestId },
      );
    } catch {
      // Stored and applied here; other replicas learn of it at their next start. TODO(#5): transactional outbox.
      throw new TemporarilyUnavailable('the revocation was stored but could not be announced to every replica; retry');
    }
    return { revoked: true };
  }

}
