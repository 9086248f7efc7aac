import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';

/**
 * A supply of DPoP proofs (RFC 9449 §4.2) for `POST {issuer}/token`, signed
 * before the load (signing them during it would make the load generator, not
 * the suite, the thing measured) with one ES256 key, each with its own `jti`.
 * They must be used within the server's `iat` window (60 s): sign as many as
 * warm-up plus the run need, right before it.
 */
export async function dpopProofSupply(issuer: string, count: number): Promise<{ next: () => Record<string, string>; exhausted: () => boolean }> {
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(publicKey);
  const sign = () =>
    new SignJWT({ htm: 'POST', htu: `${issuer}/token` })
      .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk })
      .setJti(randomUUID())
      .setIssuedAt()
      .sign(privateKey);
  const proofs: string[] = [];
  // 256 at a time: WebCrypto works on the thread pool, so both cores sign.
  while (proofs.length < count) proofs.push(...(await Promise.all(Array.from({ length: Math.min(256, count - proofs.length) }, sign))));
  let i = 0;
  return {
    // Past the supply the last proof goes again: the server refuses the replayed jti (counted as non-2xx), and the run says so.
    next: () => ({ dpop: proofs[Math.min(i++, proofs.length - 1)]! }),
    exhausted: () => i > proofs.length,
  };
}
