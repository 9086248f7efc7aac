/**
 * The revoked-token ids this replica knows, each kept until the token it
 * revokes would have expired anyway (seconds since epoch).
 */
export class RevocationList {
  private readonly entries = new Map<string, number>();

  add(jti: string, exp: number): void {
    this.entries.set(jti, Math.max(exp, this.entries.get(jti) ?? 0));
  }

  has(jti: string): boolean {
    return this.entries.has(jti);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Drops entries whose token has expired (with a skew allowance). */
  purge(nowSeconds: number, skewSeconds = 60): void {
    for (const [jti, exp] of this.entries) if (exp + skewSeconds < nowSeconds) this.entries.delete(jti);
  }
}
