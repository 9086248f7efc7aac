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
