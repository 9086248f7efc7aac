import { watchedCache } from '#nest';
import { ExpiryIndex } from './expiry-index.js';

/**
 * The revoked-token ids this replica knows, each kept until the token it
 * revokes would have expired anyway (seconds since epoch), plus a skew
 * allowance: bounded by what is live, never by a count (forgetting a
 * revocation would make its token active again).
 */
export class RevocationList {
  private readonly entries = watchedCache('revoked_tokens', new Map<string, number>());
  private readonly expiry = new ExpiryIndex();

  add(jti: string, exp: number): void {
    const known = this.entries.get(jti);
    if (known !== undefined && known >= exp) return;
    this.entries.set(jti, exp);
    this.expiry.add(jti, exp);
  }

  has(jti: string): boolean {
    return this.entries.has(jti);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Drops entries whose token expired more than `skewSeconds` before `nowSeconds`; costs what it drops. */
  purge(nowSeconds: number, skewSeconds = 60): void {
    const until = Math.floor(nowSeconds - skewSeconds);
    this.expiry.drain(until, (jti) => {
      const exp = this.entries.get(jti);
      if (exp !== undefined && exp < until) this.entries.delete(jti);
    });
  }
}
