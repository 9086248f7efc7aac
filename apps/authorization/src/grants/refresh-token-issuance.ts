import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ClientRecord } from '#contracts';
import { sha256Hex, type ScopeSet } from '#oauth';
import { AuthorizationConfig } from '../config/authorization.config.js';
import type { GrantEntity } from '../persistence/entities/grant.entity.js';
import { RefreshTokenStore } from '../persistence/refresh-token.store.js';
import { SessionService } from '../users/session.service.js';
import { RefreshTokenFormat } from './refresh-token-format.js';

/**
 * When a refresh token is issued, and until when (SMART App Launch 2.2
 * §"Scopes for requesting a refresh token"): with `offline_access` for
 * `REFRESH_TOKEN_TTL_SECONDS`; with `online_access` alone no longer than the
 * login session (none once it has ended); never to a client that did not
 * register the `refresh_token` grant. Null: no refresh token.
 */
export function refreshTokenExpiry(
  scope: ScopeSet,
  registeredGrantTypes: readonly string[],
  session: { authenticatedAt: Date } | null,
  nowMs: number,
  config: Pick<AuthorizationConfig, 'REFRESH_TOKEN_TTL_SECONDS' | 'SESSION_TTL_SECONDS'>,
): Date | null {
  const offline = scope.has('offline_access');
  if ((!offline && !scope.has('online_access')) || !registeredGrantTypes.includes('refresh_token')) return null;
  const expiresAt = nowMs + config.REFRESH_TOKEN_TTL_SECONDS * 1000;
  if (offline) return new Date(expiresAt);
  if (!session) return null;
  return new Date(Math.min(expiresAt, session.authenticatedAt.getTime() + config.SESSION_TTL_SECONDS * 1000));
}

/** Issues the refresh token of a code redemption or a rotation, in the caller's transaction. */
@Injectable()
export class RefreshTokenIssuance {
  constructor(
    private readonly config: AuthorizationConfig,
    private readonly tokens: RefreshTokenStore,
    private readonly sessions: SessionService,
    private readonly format: RefreshTokenFormat,
  ) {}

  async issue(
    manager: EntityManager,
    grant: Pick<GrantEntity, 'id' | 'clientId' | 'sessionHash'>,
    client: ClientRecord,
    scope: ScopeSet,
    authTime: Date,
    /** RFC 9449 §5: the DPoP key the token is bound to (see dpop-refresh-binding.ts). */
    dpopJkt: string | null = null,
  ): Promise<{ refresh_token: string; refresh_token_expires_in: number } | undefined> {
    // The login session is read only for an online_access token that could be issued.
    const needsSession = !scope.has('offline_access') && scope.has('online_access') && client.metadata.grant_types.includes('refresh_token');
    const session = needsSession && grant.sessionHash ? await this.sessions.findByHash(grant.sessionHash, manager) : null;
    const now = Date.now();
    const expiresAt = refreshTokenExpiry(scope, client.metadata.grant_types, session, now, this.config);
    if (!expiresAt) return undefined;
    const token = this.format.issue();
    await this.tokens.insert(manager, { tokenHash: sha256Hex(token), grantId: grant.id, clientId: grant.clientId, scope: scope.toString(), authTime, expiresAt, dpopJkt });
    return { refresh_token: token, refresh_token_expires_in: Math.max(0, Math.floor((expiresAt.getTime() - now) / 1000)) };
  }
}
