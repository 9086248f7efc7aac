import type { CryptoKey } from 'jose';
import { importPrivateJwk, signCompact } from './compact-jws.js';

/** One private signing key, bound to its algorithm. */
export class SigningKey {
  constructor(
    readonly kid: string,
    readonly alg: string,
    readonly key: CryptoKey,
  ) {}

  static async fromJwk(kid: string, alg: string, privateJwk: Record<string, unknown>): Promise<SigningKey> {
    return new SigningKey(kid, alg, await importPrivateJwk(privateJwk, alg));
  }

  /** A compact JWS of `payload` with the header `{alg, kid, typ}` (RFC 7515 §7.1, RFC 9068 §2.1). */
  sign(payload: Record<string, unknown>, typ: string): Promise<string> {
    return signCompact({ alg: this.alg, kid: this.kid, typ }, payload, this.key);
  }
}
