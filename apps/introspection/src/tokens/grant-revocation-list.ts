import { watchedCache } from '#nest';
import { ExpiryIndex } from './expiry-index.js';

/**
 * Access tokens live at most 3600 s (TokenConfig ACCESS_TOKEN_TTL_SECONDS),
 * plus a minute of clock skew: after that no token of a revoked grant can be
 * active anyway, so its revocation need not be kept.
 */
export const GRANT_REVOCATION_KEEP_SECONDS = 3660;

/**
 * How far back a replica replays `grant.revoked` from the stream when it
 * catches up: a revocation matters for GRANT_REVOCATION_KEEP_SECONDS after
 * its `revoked_at`, which is a minute after it was committed, and it is
 * stored in the stream at or after that commit (later when relayed from
 * the outbox). Twice the keep window leaves room for clocks that disagree.
 */
export const GRANT_REVOCATION_REPLAY_SECONDS = 2 * GRANT_REVOCATION_KEEP_SECONDS;

interface Entry {
  /** Seconds since epoch: tokens of the grant issued at or before this are inactive. */
  revokedAt: number;
  /** Seconds since epoch after which the entry is dropped. */
  keepUntil: number;
}

/**
 * The revoked grants this replica knows (`grant.revoked`, RFC 9700
 * §4.14.2 and RFC 6749 §4.1.2): an access token carrying one of their
 * `grant_id`s and issued no later than the revocation is inactive.
 */
export class GrantRevocationList {
  private readonly entries = watchedCache('revoked_grants', new Map<string, Entry>());
  private readonly expiry = new ExpiryIndex();

  /** A later revocation of the same grant covers more tokens, so it wins. */
  add(grantId: string, revokedAt: number, keepUntil = revokedAt + GRANT_REVOCATION_KEEP_SECONDS): void {
    const known = this.entries.get(grantId);
    const kept = Math.max(keepUntil, known?.keepUntil ?? keepUntil);
    this.entries.set(grantId, { revokedAt: Math.max(revokedAt, known?.revokedAt ?? revokedAt), keepUntil: kept });
    if (kept !== known?.keepUntil) this.expiry.add(grantId, kept);
  }

  /** Whether a token of `grantId` issued at `iat` (seconds since epoch) is revoked. */
  revokes(grantId: string, iat: number): boolean {
    const entry = this.entries.get(grantId);
    return entry !== undefined && iat <= entry.revokedAt;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Drops revocations whose tokens have all expired (`keepUntil` before `nowSeconds`); costs what it drops. */
  purge(nowSeconds: number): void {
    const until = Math.floor(nowSeconds);
    this.expiry.drain(until, (grantId) => {
      const entry = this.entries.get(grantId);
      if (entry && entry.keepUntil < until) this.entries.delete(grantId);
    });
  }
}
