import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { EventEnvelope, GrantRevokedData, RevokeRefreshTokenRequest } from '#contracts';
import { inTransaction } from '#nest';
import { sha256Hex, UnauthorizedClient } from '#oauth';
import { GrantStore } from '../persistence/grant.store.js';
import { RefreshTokenStore } from '../persistence/refresh-token.store.js';
import { EventRecorder } from './event-recorder.js';

const REVOCATION_MARGIN_SECONDS = 60;

/**
 * The `revoked_at` that `grant.revoked` announces (seconds since epoch):
 * access tokens of the grant issued up to then are inactive. A margin past
 * the moment of revocation covers a refresh that passed its checks just
 * before it and signs a moment after, and clock skew between services; no
 * legitimate token of a revoked grant can be issued later anyway.
 */
export function announcedRevokedAt(revokedAt: Date): number {
  return Math.ceil(revokedAt.getTime() / 1000) + REVOCATION_MARGIN_SECONDS;
}

/**
 * Ending a grant (RFC 7009 §2.1: revoking a refresh token revokes the grant;
 * RFC 9700 §4.14.2 and RFC 6749 §4.1.2: reuse and code replay revoke it):
 * no refresh, and every access token of it inactive at /introspect once
 * `grant.revoked` reaches the introspection replicas.
 */
@Injectable()
export class GrantRevocation {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly grants: GrantStore,
    private readonly refreshTokens: RefreshTokenStore,
    private readonly events: EventRecorder,
  ) {}

  /**
   * Revokes the grant and announces it before returning. Revoking a grant
   * already revoked changes nothing and writes no second `grant.revoked` (it
   * would tell every consumer the grant was revoked twice); the event of the
   * first revocation, if it still waits in the outbox (that call answered
   * 503), is published now with its own id, so JetStream keeps one copy and a
   * caller retrying learns the revocation is in force everywhere. Returns
   * whether this call revoked the grant.
   */
  async revoke(grantId: string, reason: GrantRevokedData['reason'], requestId?: string, actor?: string): Promise<boolean> {
    const event = await inTransaction(this.dataSource, (manager) => this.revokeIn(manager, grantId, reason, requestId, actor));
    // Every introspection replica must know before the caller hears back (RFC 7009 §2.2).
    const announcements = event ? [event] : await this.events.unannounced('grant.revoked', 'grant_id', grantId);
    for (const envelope of announcements) await this.events.published(envelope);
    return event !== null;
  }

  /** The revocation and its `grant.revoked` event in the caller's transaction; null when the grant is unknown or already revoked. */
  /** `actor`: the administrator, with reason `admin` (`user:<id>` or `client:<client_id>`). */
  async revokeIn(manager: EntityManager, grantId: string, reason: GrantRevokedData['reason'], requestId?: string, actor?: string): Promise<EventEnvelope<'grant.revoked'> | null> {
    const revoked = await this.grants.revoke(manager, grantId, reason);
    if (!revoked) return null;
    return this.events.add(
      manager,
      'grant.revoked',
      { grant_id: grantId, client_id: revoked.clientId, user_id: revoked.userId, reason, revoked_at: announcedRevokedAt(revoked.revokedAt), ...(actor ? { actor } : {}) },
      requestId,
    );
  }

  /** `authorization.v1.refresh.revoke`: RFC 7009 for a refresh token: the grant (and every token of it) is revoked. */
  async revokeRefreshToken(request: RevokeRefreshTokenRequest): Promise<{ revoked: boolean }> {
    if (typeof request?.token !== 'string' || typeof request.client_id !== 'string') return { revoked: false };
    const token = await this.refreshTokens.find(sha256Hex(request.token.slice(0, 512)));
    if (!token) return { revoked: false };
    if (token.clientId !== request.client_id) throw new UnauthorizedClient('the token was not issued to this client');
    await this.revoke(token.grantId, 'client_request', request.requestId);
    return { revoked: true };
  }

  /** An administrator (`actor`: `user:<id>` or `client:<client_id>`) revokes every live grant of a client (its access goes everywhere at once); returns how many. */
  async revokeAllOf(clientId: string, actor: string, requestId?: string): Promise<number> {
    let revoked = 0;
    for (const id of await this.grants.liveIdsOf(clientId)) if (await this.revoke(id, 'admin', requestId, actor)) revoked++;
    return revoked;
  }
}
