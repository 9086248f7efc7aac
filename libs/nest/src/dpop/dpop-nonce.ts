import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/**
 * RFC 9449 §8: server-provided nonces for DPoP proofs at /token. A nonce is
 * the HMAC-SHA-256 of the current time window under a key derived from the
 * deployment's key-encryption key, so every token replica computes the same
 * one without talking to the others; it rotates every `rotationSeconds`, and
 * the current and the previous window's nonces are accepted.
 */
export class DpopNonces {
  private constructor(
    private readonly key: Buffer,
    private readonly rotationSeconds: number,
    private readonly now: () => number,
  ) {}

  /** Keyed by HKDF from `secret` (the KEY_ENCRYPTION_KEY setting): never the secret itself. */
  static derive(secret: string, rotationSeconds: number, now: () => number = Date.now): DpopNonces {
    const key = Buffer.from(hkdfSync('sha256', secret, 'smart-dpop', 'dpop-nonce', 32));
    return new DpopNonces(key, rotationSeconds, now);
  }

  /** The nonce of the current window: what `DPoP-Nonce` tells clients to use. */
  current(): string {
    return this.nonceOf(this.window());
  }

  /** Whether `nonce` is this window's or the previous one's (a client that just fetched one is not refused at a rotation). */
  accepts(nonce: unknown): boolean {
    if (typeof nonce !== 'string' || nonce.length !== 22) return false;
    const presented = Buffer.from(nonce);
    const window = this.window();
    return [window, window - 1].some((w) => timingSafeEqual(presented, Buffer.from(this.nonceOf(w))));
  }

  private window(): number {
    return Math.floor(this.now() / 1000 / this.rotationSeconds);
  }

  private nonceOf(window: number): string {
    // 128 bits, base64url: 22 characters.
    return createHmac('sha256', this.key).update(`dpop-nonce:${window}`).digest().subarray(0, 16).toString('base64url');
  }
}
