import { Injectable } from '@nestjs/common';
import type { RefreshReplay, SealRefreshRequest } from '#contracts';
import { InvalidGrant, InvalidRequest, sha256Hex } from '#oauth';
import { AuthorizationConfig } from '../config/authorization.config.js';
import { GrantStore } from '../persistence/grant.store.js';
import { RefreshTokenStore } from '../persistence/refresh-token.store.js';

/**
 * Refresh grace (REFRESH_REUSE_GRACE_SECONDS): a refresh token rotated moments
 * ago and presented again is the same client retrying (a lost response, two
 * tabs), not a thief, while it is inside the window. RFC 9700 §4.14.2 asks
 * that reuse of a rotated refresh token be detected; a short window that
 * answers with the very same response (no second refresh token, so no fork of
 * the grant) keeps that guarantee for anything later, as Hydra's
 * `rotation_grace_period` and Keycloak's reuse interval do.
 */

/** Whether a refresh token spent at `usedAt` and presented again at `now` is inside the grace window. */
export function withinRefreshGrace(usedAt: Date, now: number, graceSeconds: number): boolean {
  return graceSeconds > 0 && now - usedAt.getTime() <= graceSeconds * 1000;
}

/** How long a replay waits for the first presentation's sealed response (its token service is still signing). */
export const REPLAY_WAIT_MS = 2_000;

/** How often it looks. */
export const REPLAY_POLL_MS = 50;

/** The grace window's two halves: keeping a rotation's sealed response, and handing it out again. */
@Injectable()
export class RefreshGrace {
  constructor(
    private readonly config: AuthorizationConfig,
    private readonly tokens: RefreshTokenStore,
    private readonly grants: GrantStore,
  ) {}

  /**
   * `authorization.v1.refresh.seal`: keeps the sealed token response of a
   * rotation (its key derives from the spent refresh token, which is never
   * stored), for a token spent inside the window and sealed once only.
   */
  async seal(request: SealRefreshRequest): Promise<{ sealed: boolean }> {
    if (typeof request?.refresh_token !== 'string' || typeof request.sealed !== 'string' || request.sealed.length > 65_536) throw new InvalidRequest('malformed seal request');
    if (this.config.REFRESH_REUSE_GRACE_SECONDS <= 0) return { sealed: false };
    return { sealed: await this.tokens.seal(sha256Hex(request.refresh_token.slice(0, 512)), request.sealed, this.config.REFRESH_REUSE_GRACE_SECONDS) };
  }

  /**
   * The sealed response of the first presentation, once its token service
   * has handed it back (it signs after this service answers, so a replay
   * racing it waits a moment). A grant revoked meanwhile gets nothing; a
   * response that never arrives is `invalid_grant` without revoking anything
   * (the client may have lost the first answer, but nobody else holds it).
   */
  async replay(tokenHash: string, grantId: string): Promise<RefreshReplay> {
    const deadline = Date.now() + REPLAY_WAIT_MS;
    for (;;) {
      const grant = await this.grants.find(grantId);
      if (!grant || grant.revokedAt) throw new InvalidGrant('the refresh token is invalid, expired or revoked');
      const row = await this.tokens.find(tokenHash);
      if (row?.successorSealed) return { replay: row.successorSealed };
      if (Date.now() >= deadline) throw new InvalidGrant('the refresh token was just used and its successor is not available; sign in again');
      await new Promise((resolve) => setTimeout(resolve, REPLAY_POLL_MS));
    }
  }
}
