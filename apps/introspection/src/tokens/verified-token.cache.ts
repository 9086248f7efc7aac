/**
 * Tokens whose signature has already been verified, kept until they expire,
 * so a resource server introspecting the same token again costs no signature
 * check. Revocation and the client's existence are still checked on every
 * call; only the cryptography is remembered.
 */
export class VerifiedTokenCache<T extends { exp: number }> {
  private readonly entries = new Map<string, T>();

  constructor(private readonly maxEntries = 50_000) {}

  get(token: string, nowSeconds: number): T | undefined {
    const claims = this.entries.get(token);
    if (!claims) return undefined;
    if (claims.exp <= nowSeconds) {
      this.entries.delete(token);
      return undefined;
    }
    return claims;
  }

  set(token: string, claims: T): void {
    if (this.entries.size >= this.maxEntries) {
      // Oldest first: Map keeps insertion order.
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(token, claims);
  }
}
