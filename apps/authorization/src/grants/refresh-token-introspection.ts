import { Injectable } from '@nestjs/common';
import type { IntrospectRefreshTokenRequest, RefreshTokenIntrospection } from '#contracts';
import { sha256Hex } from '#oauth';
import { AuthorizationConfig } from '../config/authorization.config.js';
import type { GrantEntity } from '../persistence/entities/grant.entity.js';
import type { RefreshTokenEntity } from '../persistence/entities/refresh-token.entity.js';
import { GrantStore } from '../persistence/grant.store.js';
import { RefreshTokenStore } from '../persistence/refresh-token.store.js';
import { SessionService } from '../users/session.service.js';
import { UserStore } from '../users/user.store.js';
import { grantContextClaims } from './grant-context.js';
import { isOnlineOnly } from './online-access.js';
import { RefreshTokenFormat } from './refresh-token-format.js';

const INACTIVE: RefreshTokenIntrospection = Object.freeze({ active: false }) as RefreshTokenIntrospection;
/** Never issued: the introspection service may remember that (issue #14). */
const UNKNOWN: RefreshTokenIntrospection = Object.freeze({ active: false, unknown: true }) as RefreshTokenIntrospection;

/** What the refresh-token rule reads: the token's row, its grant, its user, and for `online_access` whether the login session is on. */
export interface RefreshTokenFacts {
  token: Pick<RefreshTokenEntity, 'clientId' | 'scope' | 'createdAt' | 'expiresAt' | 'usedAt'> | null;
  grant: Pick<GrantEntity, 'userId' | 'context' | 'revokedAt'> | null;
  user: { id: string; fhirUser: string | null; disabled: boolean } | null;
  /** Whether the grant's login session is still on (read only for an `online_access` token). */
  sessionLive: boolean;
}

/**
 * RFC 7662 §2.1 for a refresh token: active exactly when the token would be
 * accepted at /token now (the checks of `refresh-rotation.ts`, in its order):
 * it is known, not rotated out (RFC 9700 §4.14.2: a used one is spent), not
 * expired, of a grant not revoked (RFC 7009 §2.1: revoking the token
 * revokes the grant), for `online_access` of a login session still on
 * (SMART App Launch 2.2), and of a user still active. What it stands for is
 * said as the grant's access tokens say it (`sub`, launch context, `fhirUser`).
 */
export function refreshTokenIntrospection(facts: RefreshTokenFacts, nowMs: number, fhirBaseUrl: string): RefreshTokenIntrospection {
  const { token, grant, user } = facts;
  if (!token || token.usedAt) return INACTIVE;
  if (token.expiresAt.getTime() <= nowMs) return INACTIVE;
  if (!grant || grant.revokedAt) return INACTIVE;
  if (isOnlineOnly(token.scope) && !facts.sessionLive) return INACTIVE;
  if (!user || user.id !== grant.userId || user.disabled) return INACTIVE;
  return {
    active: true,
    client_id: token.clientId,
    sub: user.id,
    scope: token.scope,
    iat: Math.floor(token.createdAt.getTime() / 1000),
    exp: Math.floor(token.expiresAt.getTime() / 1000),
    ...grantContextClaims(grant.context, token.scope, user.fhirUser, fhirBaseUrl),
  };
}

/** `authorization.v1.refresh.introspect`: reads the facts of a presented refresh token (by its SHA-256) and applies the rule. */
@Injectable()
export class RefreshTokenIntrospector {
  constructor(
    private readonly tokens: RefreshTokenStore,
    private readonly grants: GrantStore,
    private readonly config: AuthorizationConfig,
    private readonly users: UserStore,
    private readonly sessions: SessionService,
    private readonly format: RefreshTokenFormat,
  ) {}

  async introspect(request: IntrospectRefreshTokenRequest): Promise<RefreshTokenIntrospection> {
    if (typeof request?.token !== 'string' || request.token === '') return INACTIVE;
    // Issue #14: text without this deployment's checksum was never issued here; no lookup.
    if (!this.format.mayBeIssued(request.token)) return UNKNOWN;
    const token = await this.tokens.find(sha256Hex(request.token.slice(0, 512)));
    if (!token) return request.token.length <= 512 ? UNKNOWN : INACTIVE;
    const grant = await this.grants.find(token.grantId);
    const user = grant ? await this.users.byId(grant.userId) : null;
    const sessionLive = grant?.sessionHash && isOnlineOnly(token.scope) ? (await this.sessions.findByHash(grant.sessionHash)) !== null : false;
    return refreshTokenIntrospection(
      { token, grant, user: user ? { id: user.id, fhirUser: user.fhirUser ?? null, disabled: user.disabled } : null, sessionLive },
      Date.now(),
      this.config.FHIR_BASE_URL,
    );
  }
}
