import { validateCertificationPath, type CertificationPath } from './certificate-chain.js';
import { CrlRevocation } from './crl-revocation.js';
import type { ParsedCertificate } from './parsed-certificate.js';
import type { TrustAnchor } from './trust-anchors.js';

/**
 * Whether a UDAP JWT's certificate is trusted (UDAP Security 2.0 §7.1.5): a
 * valid certification path to one of the configured anchors, none of it
 * revoked. Shared by trusted dynamic registration and, later, UDAP client
 * authentication.
 */
export class CertificateTrust {
  constructor(
    readonly anchors: readonly TrustAnchor[],
    private readonly revocation: CrlRevocation,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** @throws CertificateRejected */
  async validate(leaf: ParsedCertificate, intermediates: readonly ParsedCertificate[]): Promise<CertificationPath> {
    const now = this.now();
    const path = validateCertificationPath(leaf, intermediates, this.anchors, now);
    await this.revocation.check(path, now);
    return path;
  }
}
