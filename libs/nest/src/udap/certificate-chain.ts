import { x509 } from './peculiar-x509.js';
import { CertificateRejected } from './certificate-rejected.js';
import type { ParsedCertificate } from './parsed-certificate.js';
import type { TrustAnchor } from './trust-anchors.js';

/** Longest path built, leaf and anchor included. */
const MAX_PATH_LENGTH = 8;

/** A certification path (RFC 5280 §6) from a leaf to a configured trust anchor. */
export interface CertificationPath {
  /** Leaf first, then each issuer; the anchor's certificate last. */
  certificates: ParsedCertificate[];
  anchor: TrustAnchor;
}

/**
 * Builds and validates the path from `leaf` through the `intermediates` a
 * JWT's `x5c` offered to one of `anchors` (UDAP Security 2.0 §7.1.5, RFC 5280
 * §6.1): each certificate's signature verifies with its issuer's key, every
 * certificate (the anchor's too) is within its validity period, every issuer
 * below the anchor is a CA allowed to sign certificates (basic constraints,
 * `keyCertSign`, path length), the leaf's key may sign (`digitalSignature`),
 * and no certificate under the anchor has a critical extension not processed
 * here (name constraints among them: refused rather than ignored).
 * Revocation is checked separately (crl-revocation.ts). Pure: the clock is a
 * parameter.
 *
 * @throws CertificateRejected `untrusted`, `expired` or `usage`.
 */
export function validateCertificationPath(leaf: ParsedCertificate, intermediates: readonly ParsedCertificate[], anchors: readonly TrustAnchor[], now: Date): CertificationPath {
  const path = buildPath([leaf], intermediates, anchors);
  if (!path) throw new CertificateRejected('untrusted', `the certificate (${leaf.subject}) does not chain to a trust anchor of this server`);
  for (const certificate of path.certificates) {
    if (!certificate.validAt(now)) {
      throw new CertificateRejected('expired', `the certificate ${certificate.subject} is outside its validity period (${certificate.notBefore.toISOString()} to ${certificate.notAfter.toISOString()})`);
    }
  }
  // Every certificate under the anchor (the anchor is trusted by configuration, RFC 5280 §6.1.1).
  for (const certificate of path.certificates.slice(0, -1)) {
    const unprocessed = certificate.unprocessedCriticalExtensions();
    if (unprocessed.length) throw new CertificateRejected('usage', `the certificate ${certificate.subject} has a critical extension this server does not process (${unprocessed.join(', ')})`);
  }
  if (!leaf.allows(x509.KeyUsageFlags.digitalSignature)) throw new CertificateRejected('usage', `the certificate ${leaf.subject} may not sign (key usage lacks digitalSignature)`);
  // Every issuer under the anchor: a CA that may sign certificates, within its path length constraint.
  for (let i = 1; i < path.certificates.length - 1; i++) {
    const issuer = path.certificates[i]!;
    const { ca, pathLength } = issuer.basicConstraints();
    if (!ca || !issuer.allows(x509.KeyUsageFlags.keyCertSign)) throw new CertificateRejected('usage', `the certificate ${issuer.subject} is not a CA allowed to issue certificates`);
    // Intermediates below this one (the leaf is not counted, RFC 5280 §4.2.1.9).
    if (pathLength !== undefined && i - 1 > pathLength) throw new CertificateRejected('usage', `the path under ${issuer.subject} is longer than its path length constraint`);
  }
  const anchorConstraint = path.anchor.certificate.basicConstraints().pathLength;
  if (anchorConstraint !== undefined && path.certificates.length - 2 > anchorConstraint) {
    throw new CertificateRejected('usage', `the path under the trust anchor ${path.anchor.certificate.subject} is longer than its path length constraint`);
  }
  return path;
}

/** Depth-first: the first path whose signatures verify up to an anchor, or null. */
function buildPath(path: ParsedCertificate[], intermediates: readonly ParsedCertificate[], anchors: readonly TrustAnchor[]): CertificationPath | null {
  const current = path[path.length - 1]!;
  // The path may end at an anchor that the x5c itself carried (RFC 7515 §4.1.6 allows the whole chain).
  const carried = path.length > 1 ? anchors.find((a) => a.sha256 === current.sha256) : undefined;
  if (carried) return { certificates: path, anchor: carried };
  const issuingAnchor = anchors.find((a) => current.issuedBy(a.certificate));
  if (issuingAnchor) return { certificates: [...path, issuingAnchor.certificate], anchor: issuingAnchor };
  if (path.length >= MAX_PATH_LENGTH - 1) return null;
  for (const candidate of intermediates) {
    if (path.some((c) => c.sha256 === candidate.sha256) || !current.issuedBy(candidate)) continue;
    const found = buildPath([...path, candidate], intermediates, anchors);
    if (found) return found;
  }
  return null;
}
