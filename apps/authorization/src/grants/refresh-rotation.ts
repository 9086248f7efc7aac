import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { AuthorizedGrant, EventEnvelope, RefreshGrantRequest, RefreshReplay, RefreshTokenClient, RefreshTokenClientRequest } from '#contracts';
import { ClientDirectory, inTransaction } from '#nest';
import { InvalidGrant, InvalidRequest, InvalidScope, ScopeSet, sha256Hex } from '#oauth';
import { AuthorizationConfig } from '../config/authorization.config.js';
import type { RefreshTokenEntity } from '../persistence/entities/refresh-token.entity.js';
import { GrantStore } from '../persistence/grant.store.js';
import { RefreshTokenStore } from '../persistence/refresh-token.store.js';
import { SessionService } from '../users/session.service.js';
import { authorizedGrant, type GrantUse } from './authorized-grant.js';
import { refreshBindingFailure, refreshTokenBinding } from './dpop-refresh-binding.js';
import { EventRecorder } from './event-recorder.js';
import { GrantRevocation } from './grant-revocation.js';
import { isOnlineOnly } from './online-access.js';
import { RefreshGrace, withinRefreshGrace } from './refresh-grace.js';
import { RefreshTokenIssuance } from './refresh-token-issuance.js';

const INVALID = 'the refresh token is invalid, expired or revoked';

/**
 * What the presented token's own row says, before its grant is read:
 * `invalid` (unknown, or issued to another client: RFC 6749 §6), `grace`
 * (spent moments ago: refresh grace), `reused` (spent: RFC 9700 §4.14.2),
 * `expired`, or `rotate`.
 */
export function presentedTokenState(
  token: Pick<RefreshTokenEntity, 'clientId' | 'usedAt' | 'expiresAt'> | null,
  clientId: string,
  nowMs: number,
  graceSeconds: number,
): 'invalid' | 'grace' | 'reused' | 'expired' | 'rotate' {
  if (!token || token.clientId !== clientId) return 'invalid';
  if (token.usedAt) return withinRefreshGrace(token.usedAt, nowMs, graceSeconds) ? 'grace' : 'reused';
  return token.expiresAt.getTime() <= nowMs ? 'expired' : 'rotate';
}

/** RFC 6749 §6: a refresh may ask for less (an omitted or empty `scope` is all of it), never for more. */
export function narrowedScope(requested: string | undefined, held: ScopeSet): ScopeSet {
  if (requested === undefined || requested.trim() === '') return held;
  const asked = ScopeSet.parse(requested);
  if (!asked.isSubsetOf(held)) throw new InvalidScope('a refresh cannot widen the scope of the grant');
  return asked;
}

type Rotation =
  | { graceFor: string }
  | { reused: { detected: EventEnvelope<'refresh_token.reused'>; revoked: EventEnvelope<'grant.revoked'> | null } }
  | { rotated: GrantUse; event: EventEnvelope<'token.refreshed'> };

/**
 * `authorization.v1.refresh`: RFC 6749 §6 with rotation. The token is locked,
 * spent and replaced by a new one (same scope) in one transaction, with
 * `token.refreshed`; a spent token coming back revokes the whole grant
 * (RFC 9700 §4.14.2), with `refresh_token.reused` and `grant.revoked` in the
 * transaction of the change, unless it comes back within the refresh grace
 * window. `online_access` tokens end with their login session,
 * `offline_access` ones outlive it (SMART App Launch 2.2).
 */
@Injectable()
export class RefreshRotation {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AuthorizationConfig,
    private readonly tokens: RefreshTokenStore,
    private readonly grants: GrantStore,
    private readonly directory: ClientDirectory,
    private readonly sessions: SessionService,
    private readonly issuance: RefreshTokenIssuance,
    private readonly revocation: GrantRevocation,
    private readonly grace: RefreshGrace,
    private readonly events: EventRecorder,
  ) {}

  async refresh(request: RefreshGrantRequest): Promise<AuthorizedGrant | RefreshReplay> {
    if (typeof request?.refresh_token !== 'string' || typeof request.client_id !== 'string') throw new InvalidRequest('refresh_token is required');
    if (request.dpop_jkt !== undefined && typeof request.dpop_jkt !== 'string') throw new InvalidRequest('malformed dpop_jkt');
    const tokenHash = sha256Hex(request.refresh_token.slice(0, 512));
    const outcome = await inTransaction(this.dataSource, (manager) => this.rotate(manager, tokenHash, request));
    if ('graceFor' in outcome) return this.grace.replay(tokenHash, outcome.graceFor);
    if ('reused' in outcome) {
      this.events.soon(outcome.reused.detected);
      // Every introspection replica must stop the grant's access tokens before the client hears back.
      if (outcome.reused.revoked) await this.events.published(outcome.reused.revoked);
      throw new InvalidGrant('the refresh token was already used; the whole grant is revoked');
    }
    this.events.soon(outcome.event);
    // authorizedGrant() refuses a grant whose user is gone or disabled (after the rotation, as it always did).
    const authorized = authorizedGrant(outcome.rotated, this.config.FHIR_BASE_URL);
    return this.config.REFRESH_REUSE_GRACE_SECONDS > 0 ? { ...authorized, seal_response: true } : authorized;
  }

  /** Decides inside the transaction; a reuse is returned, not thrown, so its revocation commits. */
  private async rotate(manager: EntityManager, tokenHash: string, request: RefreshGrantRequest): Promise<Rotation> {
    // Locked and marked used in one statement; every refusal below throws, and the rollback unmarks it.
    const token = await this.tokens.lockAndSpend(manager, tokenHash);
    const state = presentedTokenState(token, request.client_id, Date.now(), this.config.REFRESH_REUSE_GRACE_SECONDS);
    if (state === 'invalid' || state === 'expired' || !token) throw new InvalidGrant(INVALID);
    // RFC 9449 §5: a bound token without its key is refused before anything (grace, reuse, rotation) happens.
    const unbound = refreshBindingFailure(token.dpopJkt, request.dpop_jkt);
    if (unbound) throw new InvalidGrant(unbound);
    // Refresh grace: the same client presenting the token it just rotated gets the same answer, not a revocation.
    if (state === 'grace') return { graceFor: token.grantId };
    if (state === 'reused') return { reused: await this.reuseDetected(manager, token, request.requestId) };
    const used = await this.grants.use(manager, token.grantId);
    if (!used) throw new InvalidGrant(INVALID);
    const { grant } = used;
    if (isOnlineOnly(token.scope) && (!grant.sessionHash || !(await this.sessions.findByHash(grant.sessionHash, manager)))) {
      throw new InvalidGrant('the login session this online_access token belonged to has ended');
    }
    const held = ScopeSet.parse(token.scope);
    const scope = narrowedScope(request.scope, held).toString();
    const client = await this.directory.get(grant.clientId);
    if (!client) throw new InvalidGrant('the client of this grant is no longer registered');
    // The new token keeps the scope of the one it replaces (RFC 6749 §6); only the access token is narrowed.
    // RFC 9449 §5: a bound token's successor stays bound; a public client's unbound one becomes bound once it uses DPoP.
    const refresh = await this.issuance.issue(manager, grant, client, held, token.authTime, token.dpopJkt ?? refreshTokenBinding(client, request.dpop_jkt));
    const patient = grant.context?.patient;
    const event = await this.events.add(
      manager,
      'token.refreshed',
      { grant_id: grant.id, client_id: grant.clientId, user_id: grant.userId, scope, ...(patient ? { patient } : {}) },
      request.requestId,
    );
    return { rotated: { ...used, scope, authTime: token.authTime, refresh }, event };
  }

  /** A spent refresh token came back: the fact, and the end of its grant (if still live), in the caller's transaction. */
  private async reuseDetected(manager: EntityManager, token: RefreshTokenEntity, requestId?: string): Promise<Extract<Rotation, { reused: unknown }>['reused']> {
    const grant = await this.grants.find(token.grantId, manager);
    const patient = grant?.context?.patient;
    const detected = await this.events.add(
      manager,
      'refresh_token.reused',
      { grant_id: token.grantId, client_id: token.clientId, user_id: grant?.userId ?? '', ...(patient ? { patient } : {}) },
      requestId,
    );
    const revoked = await this.revocation.revokeIn(manager, token.grantId, 'refresh_token_reuse', requestId);
    return { detected, revoked };
  }

  /**
   * `authorization.v1.refresh.client`: the client a refresh token was issued to, spent or not (a spent one coming
   * back must still reach reuse detection), so the token service can tell a public client's refresh without
   * `client_id` (RFC 6749 §6) from a confidential client's refresh without authentication, which it refuses before
   * anything is spent. Reads only.
   */
  async refreshTokenClient(request: RefreshTokenClientRequest): Promise<RefreshTokenClient> {
    if (typeof request?.refresh_token !== 'string') throw new InvalidRequest('refresh_token is required');
    const token = await this.tokens.find(sha256Hex(request.refresh_token.slice(0, 512)));
    return { client_id: token?.clientId ?? null };
  }
}
