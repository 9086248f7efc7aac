import { Injectable, Logger } from '@nestjs/common';
import {
  MAX_INTROSPECTED_TOKEN_LENGTH,
  Rpc,
  type ClientRecord,
  type EventEnvelope,
  type IntrospectionCaller,
  type IntrospectionRequest,
  type IntrospectionResponseBody,
  type RevocationRequest,
  type TokenRevokedData,
  type TokenVerification,
} from '#contracts';
import { ClientAuthenticator, ClientDirectory, InvalidJwt, PublicKeyRing, ServiceBus, metricsExposing } from '#nest';
import { InsufficientScope, InvalidRequest, mayUseScope, InvalidToken, TemporarilyUnavailable, UnauthorizedClient } from '#oauth';
import { IntrospectionConfig } from '../config/introspection.config.js';
import { RevocationStore } from '../persistence/revocation.store.js';
import { accessTokenClaimsOf, activeIntrospectionResponse, grantsIntrospection, type AccessTokenClaims } from './access-token-claims.js';
import { activeRefreshToken } from './refresh-token-claims.js';
import { RefreshTokenFilter } from './refresh-token-filter.js';
import { RejectedTokenCache } from './rejected-token.cache.js';
import { TokenStateService } from './token-state.service.js';
import { VerifiedTokenCache } from './verified-token.cache.js';

const INACTIVE: IntrospectionResponseBody = Object.freeze({ active: false }) as IntrospectionResponseBody;
const CLOCK_TOLERANCE_SECONDS = 30;
/**
 * How long a request waits for this replica to catch up with revocations it
 * missed before it is answered 503 (RFC 6749 §5.2 `temporarily_unavailable`,
 * with a Retry-After from the gateway). Catching up takes well under a
 * second when the database and the stream answer.
 */
const CATCH_UP_HOLD_MS = 3000;

/**
 * RFC 7662 introspection and RFC 7009 revocation of our JWT access tokens,
 * with no database access for them; refresh tokens are the authorization
 * service's, which is asked about them.
 */
@Injectable()
export class IntrospectionService {
  private readonly logger = new Logger('Introspection');
  private readonly metrics = metricsExposing('introspections', 'tokensRevoked');
  private readonly verified = new VerifiedTokenCache<AccessTokenClaims>();
  private readonly rejected = new RejectedTokenCache();

  constructor(
    private readonly config: IntrospectionConfig,
    private readonly keys: PublicKeyRing,
    private readonly directory: ClientDirectory,
    private readonly authenticator: ClientAuthenticator,
    private readonly state: TokenStateService,
    private readonly store: RevocationStore,
    private readonly bus: ServiceBus,
    private readonly refreshTokens: RefreshTokenFilter,
  ) {}

  /** One of our access tokens with a valid signature, `typ`, `iss` and lifetime (RFC 7662 §4), or null. */
  private async ourToken(token: unknown): Promise<AccessTokenClaims | null> {
    if (typeof token !== 'string' || token.length > MAX_INTROSPECTED_TOKEN_LENGTH) return null;
    const cached = this.verified.get(token, Math.floor(Date.now() / 1000));
    if (cached) {
      if (this.keys.has(cached.kid)) return cached.value;
      this.verified.delete(token); // its key left the ring: check again
    }
    // Garbage seen before costs no second signature check (issue #14).
    if (this.rejected.has(token)) return null;
    let verified;
    try {
      verified = await this.keys.verify(token, { issuer: this.config.ISSUER, typ: 'at+jwt', clockToleranceSeconds: CLOCK_TOLERANCE_SECONDS });
    } catch (err: unknown) {
      if (err instanceof InvalidJwt && !err.transient) this.rejectForGood(token);
      return null;
    }
    const claims = accessTokenClaimsOf(verified.claims);
    if (claims) this.verified.set(token, verified.kid, claims, claims.exp + CLOCK_TOLERANCE_SECONDS);
    else this.rejectForGood(token);
    return claims;
  }

  /** A text that failed as an access token for good is remembered, unless it may still be one of our refresh tokens. */
  private rejectForGood(token: string): void {
    if (!this.refreshTokens.mayBeIssued(token)) this.rejected.add(token);
  }

  /** A valid, unrevoked access token of ours, of a grant still in force and a client still registered, or null. */
  async activeClaims(token: unknown): Promise<AccessTokenClaims | null> {
    const claims = await this.ourToken(token);
    if (!claims) return null;
    const inForce = this.inForce(claims);
    return (typeof inForce === 'boolean' ? inForce : await inForce) ? claims : null;
  }

  /**
   * Whether one of our access tokens is unrevoked, of a grant still in force
   * and of a client still registered. Synchronous while the client is cached
   * (the hot path: no promise, no microtask), a promise when it must be looked up.
   */
  private inForce(claims: AccessTokenClaims): boolean | Promise<boolean> {
    if (this.state.revoked.has(claims.jti)) return false;
    // grant.revoked: the grant's tokens issued up to the revocation are inactive (RFC 9700 §4.14.2, RFC 6749 §4.1.2).
    if (claims.grant_id !== undefined && this.state.revokedGrants.revokes(claims.grant_id, claims.iat)) return false;
    // A deleted client's tokens are inactive (RFC 7592 §2.3).
    const known = this.directory.peek(claims.client_id);
    if (known !== undefined) return known !== null;
    return this.directory.get(claims.client_id).then((client) => client !== null);
  }

  /**
   * The queue group hands requests to this replica whether it is ready or
   * not: while it may lack revocations (start, a reconnection) a request
   * waits for the catch-up, and is answered 503 if that takes too long,
   * never from stale state.
   */
  private async caughtUp(): Promise<void> {
    if (!(await this.state.whenCaughtUp(CATCH_UP_HOLD_MS))) {
      throw new TemporarilyUnavailable('this replica is catching up with revocations made while it was away from the broker; retry');
    }
  }

  /** `introspection.v1.verify`: the same checks as introspection, for other services (no caller to authorize). */
  async verify(token: unknown): Promise<TokenVerification> {
    if (!this.state.isMet()) await this.caughtUp(); // no extra await on the hot path once caught up
    const claims = await this.activeClaims(token);
    return claims ? { active: true, claims: { ...claims } } : { active: false };
  }

  async introspect(request: IntrospectionRequest): Promise<IntrospectionResponseBody> {
    if (!this.state.isMet()) await this.caughtUp(); // no extra await on the hot path once caught up
    const answer = await this.answerIntrospection(request);
    this.metrics.introspections.inc({ active: answer.active ? 'true' : 'false' });
    return answer;
  }

  private async answerIntrospection(request: IntrospectionRequest): Promise<IntrospectionResponseBody> {
    // RFC 7662 §2.1: the caller is authorized first; bad credentials are an error, an unknown token is not.
    const mayInspectAny = await this.authorizeCaller(request.caller);
    const token = request.params.token;
    if (!token) throw new InvalidRequest('token is required');
    // RFC 7662 §2.1: token_type_hint only speeds the search up, so it is not read; every type is searched.
    const claims = await this.ourToken(token);
    if (claims) {
      const inForce = this.inForce(claims);
      if (!(typeof inForce === 'boolean' ? inForce : await inForce)) return INACTIVE;
      // RFC 7662 §4: a caller without the introspect scope sees only its own tokens (no token scanning).
      if (mayInspectAny !== true && mayInspectAny.client_id !== claims.client_id) return INACTIVE;
      return activeIntrospectionResponse(claims);
    }
    // Issue #14: only text that may be one of our refresh tokens (their shape and checksum) is worth a round trip
    // to the authorization service and its database; forged and garbage text is answered here, as fast as a valid token.
    if (!this.refreshTokens.mayBeIssued(token)) return INACTIVE;
    return this.refreshTokenIntrospection(token, mayInspectAny, request.requestId);
  }

  /**
   * Not one of our access tokens: perhaps a refresh token, which the
   * authorization service holds (RFC 7662 §2.1: any token the server issued).
   * Active for the client it was issued to and for callers allowed to
   * introspect any token, while that client is still registered.
   */
  private async refreshTokenIntrospection(token: string, mayInspectAny: true | ClientRecord, requestId?: string): Promise<IntrospectionResponseBody> {
    if (this.rejected.has(token)) return INACTIVE;
    const answer = await this.bus.request(Rpc.authorization.introspectRefreshToken, { token, requestId });
    if (answer?.active === false && answer.unknown === true) this.rejected.add(token);
    const refresh = activeRefreshToken(answer, this.config.ISSUER);
    if (!refresh) return INACTIVE;
    // RFC 7662 §4: a caller without the introspect scope sees only its own tokens.
    if (mayInspectAny !== true && mayInspectAny.client_id !== refresh.clientId) return INACTIVE;
    // A deleted client's tokens are inactive (RFC 7592 §2.3).
    if (!(await this.directory.get(refresh.clientId))) return INACTIVE;
    return refresh.response;
  }

  /** true for a caller allowed to introspect any token, else the client that may see only its own. */
  private async authorizeCaller(caller: IntrospectionCaller): Promise<true | ClientRecord> {
    if (caller?.method === 'bearer') {
      // SMART token-introspection: an appropriately scoped access token of ours (RFC 6750 §3.1 errors).
      const claims = await this.activeClaims(caller.token);
      if (!claims) throw new InvalidToken('the bearer token is not valid');
      // RFC 9449 §7.2: a DPoP-bound token is not a bearer token (no proof is checked here).
      if (claims.cnf !== undefined) throw new InvalidToken('a DPoP-bound access token cannot be used as a bearer token');
      if (!grantsIntrospection(claims.scope)) throw new InsufficientScope('introspection needs the introspect scope', { scope: 'introspect' });
      return true;
    }
    const client = await this.authenticator.authenticate(caller, '/introspect');
    // Trust tiers: the privilege counts only once approved (an anonymous registrant's `introspect` waits for an administrator).
    return mayUseScope(client, 'introspect') || mayUseScope(client, 'admin') ? true : client;
  }

  async revoke(request: RevocationRequest): Promise<{ revoked: boolean }> {
    // RFC 7009 §2.1: authenticate the client first (public clients: client_id only).
    const client = await this.authenticator.authenticate(request.auth, '/revoke');
    const token = request.params.token;
    if (!token) throw new InvalidRequest('token is required');
    // RFC 7009 §2.1: token_type_hint only speeds the search up, so it is not read; every type is searched.
    const claims = await this.ourToken(token);
    if (!claims) {
      // Not one of our access tokens: perhaps a refresh token, which the authorization service holds (revoking
      // one revokes its grant, RFC 7009 §2.1). An unknown token is answered 200 by the gateway all the same
      // (§2.2); no answer from that service is 503 (§2.2.1), so the client retries.
      // Issue #14: what cannot be one of our refresh tokens, or is known never to have been issued, asks nobody.
      if (!this.refreshTokens.mayBeIssued(token) || this.rejected.has(token)) return { revoked: false };
      const answer = await this.bus.request(Rpc.authorization.revokeRefreshToken, { token, client_id: client.client_id, requestId: request.requestId });
      if (answer?.revoked === true) this.metrics.tokensRevoked.inc();
      return { revoked: answer?.revoked === true };
    }
    if (claims.client_id !== client.client_id) throw new UnauthorizedClient('the token was not issued to this client');
    const revocation: TokenRevokedData = { jti: claims.jti, client_id: claims.client_id, token_type: 'access_token', exp: claims.exp, reason: 'client_request' };
    // The revocation and its event in one transaction (transactional outbox); an earlier attempt's event
    // still waiting (the broker was down) is published again with its id, so JetStream de-duplicates.
    const stored = await this.store.revoke(revocation, request.requestId);
    this.state.revoked.add(claims.jti, claims.exp);
    await this.announce(stored ? [stored] : await this.store.unannounced(claims.jti));
    if (stored) this.metrics.tokensRevoked.inc();
    return { revoked: true };
  }

  /**
   * Other replicas learn of a revocation only from its event, so it is
   * published before the caller hears back. If the broker does not take it the
   * caller gets 503 (RFC 7009 §2.2.1); the event waits in the outbox and goes
   * out with the relay or the caller's retry, whichever comes first.
   */
  private async announce(events: ReadonlyArray<EventEnvelope<'token.revoked'>>): Promise<void> {
    if (events.length === 0) return;
    try {
      await this.store.announce(events);
    } catch (err: unknown) {
      this.logger.error(`token.revoked ${events.map((e) => `${e.id} (jti ${e.data.jti})`).join(', ')} waits in the outbox: ${(err as Error).message}`);
      throw new TemporarilyUnavailable('the revocation was stored and will be announced to every replica shortly; retry to confirm');
    }
  }
}
