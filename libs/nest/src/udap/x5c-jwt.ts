import { headerOf, InvalidJwt, verifiedPayload, type JwsHeader } from '../keys/compact-jws.js';
import { CertificateRejected } from './certificate-rejected.js';
import { ParsedCertificate } from './parsed-certificate.js';

/**
 * Signature algorithms of UDAP JWTs (UDAP Security 2.0 §7.1.2: RS256 SHALL,
 * ES256 SHOULD, RS384 and ES384 MAY): accepted on software statements (and,
 * later, authentication tokens), advertised in `.well-known/udap`.
 */
export const UDAP_SIGNING_ALGS: readonly string[] = ['RS256', 'RS384', 'ES256', 'ES384'];

/** Longest UDAP JWT read: a chain of a few certificates in `x5c` makes them large. */
const MAX_X5C_JWT_LENGTH = 65_536;
/** Most certificates read from one `x5c`. */
const MAX_X5C_CERTIFICATES = 8;

/** A UDAP JWT whose signature verified with the key of the leaf certificate of its `x5c`. */
export interface X5cSignedJwt {
  header: JwsHeader;
  payload: Record<string, unknown>;
  /** `x5c[0]`, whose key signed the JWT. */
  leaf: ParsedCertificate;
  /** The rest of `x5c`: candidate intermediates (the path is built and checked by certificate-chain.ts). */
  intermediates: ParsedCertificate[];
}

/** A UDAP JWT that is not well formed or whose signature does not verify; the message is safe to show. */
export class X5cJwtRejected extends Error {
  override readonly name = 'X5cJwtRejected';
}

/**
 * Reads a UDAP JWT (UDAP Security 2.0 §7.1.1-§7.1.3: compact JWS, `alg` from
 * {@link UDAP_SIGNING_ALGS}, `x5c` with the leaf first) and verifies its
 * signature with the leaf certificate's public key, the algorithm pinned
 * (RFC 8725 §3.1). Whether the certificate is trusted is not decided here.
 *
 * @throws X5cJwtRejected
 */
export async function readX5cSignedJwt(jwt: unknown, algorithms: readonly string[] = UDAP_SIGNING_ALGS): Promise<X5cSignedJwt> {
  if (typeof jwt !== 'string' || jwt.length > MAX_X5C_JWT_LENGTH) throw new X5cJwtRejected('not a JWT of acceptable size');
  let header: JwsHeader;
  try {
    header = headerOf(jwt);
  } catch {
    throw new X5cJwtRejected('not a compact JWS (RFC 7515 §7.1)');
  }
  if (!algorithms.includes(header.alg)) throw new X5cJwtRejected(`alg "${String(header.alg).slice(0, 20)}" is not accepted; use one of ${algorithms.join(', ')}`);
  const x5c = header.x5c;
  if (!Array.isArray(x5c) || x5c.length === 0 || x5c.length > MAX_X5C_CERTIFICATES) {
    throw new X5cJwtRejected(`the header must carry x5c: 1 to ${MAX_X5C_CERTIFICATES} base64 DER certificates, the signer's first`);
  }
  let certificates: ParsedCertificate[];
  try {
    certificates = x5c.map((entry: unknown, i) => ParsedCertificate.fromX5c(entry, `x5c[${i}]`));
  } catch (err: unknown) {
    throw new X5cJwtRejected(err instanceof CertificateRejected ? err.message : 'x5c cannot be read');
  }
  const [leaf, ...intermediates] = certificates as [ParsedCertificate, ...ParsedCertificate[]];
  let payload: Record<string, unknown>;
  try {
    payload = await verifiedPayload(jwt, header.alg, leaf.publicKey);
  } catch (err: unknown) {
    const reason = err instanceof InvalidJwt && err.message !== 'signature verification failed' ? err.message : `the signature does not verify with the key of the x5c certificate (${header.alg})`;
    throw new X5cJwtRejected(reason);
  }
  return { header, payload, leaf, intermediates };
}
