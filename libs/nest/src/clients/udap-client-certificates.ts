import type { UdapClientIdentity } from '#contracts';
import { CertificateRejected } from '../udap/certificate-rejected.js';
import { CertificateTrust } from '../udap/certificate-trust.js';
import type { CrlRevocation } from '../udap/crl-revocation.js';
import { ParsedCertificate } from '../udap/parsed-certificate.js';
import type { TrustAnchor } from '../udap/trust-anchors.js';
import { readX5cSignedJwt, X5cJwtRejected, type X5cSignedJwt } from '../udap/x5c-jwt.js';
import { AssertionRejected } from './assertion-rejected.js';

/** Parsed trust anchors kept (one per community a client registered in). */
const MAX_ANCHORS = 64;

/**
 * The key of a UDAP Authentication Token (UDAP Security 2.0 §4.2.1, §5.2.1,
 * §7.1.3; UDAP JWT-Based Client Authentication §6): the certificate in its
 * `x5c`, not a registered JWK. A certificate speaks for a UDAP-registered
 * client when it chains to the trust anchor of the community the client
 * registered in, names the client's registered URI (the software statement's
 * `iss`) as a uniformResourceIdentifier subject alternative name, is within
 * its validity period and is not revoked (CRLs, fail closed). So a renewed
 * certificate (new key, same SAN, same anchor) authenticates the same client,
 * and a certificate of another SAN or community does not.
 */
export class UdapClientCertificates {
  private readonly anchors = new Map<string, TrustAnchor>();

  constructor(
    private readonly revocation: CrlRevocation,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The token with its signature verified by its `x5c` leaf's key, the algorithm pinned. @throws AssertionRejected */
  async read(assertion: string, algorithms: readonly string[]): Promise<X5cSignedJwt> {
    try {
      return await readX5cSignedJwt(assertion, algorithms);
    } catch (err: unknown) {
      if (err instanceof X5cJwtRejected) throw new AssertionRejected(`UDAP Authentication Token: ${err.message}`);
      throw err;
    }
  }

  /**
   * Whether the certificate that signed `signed` is this client's: its SAN,
   * its path to the client's anchor, its validity and revocation (the CRL
   * fetches make this the expensive step: run it once the claims hold).
   * @throws AssertionRejected; a CRL that cannot be had is a refusal, not an outage.
   */
  async trust(identity: UdapClientIdentity, signed: X5cSignedJwt): Promise<void> {
    const anchor = this.anchorOf(identity);
    // UDAP Security 2.0 §7.1.4: URIs compared as case-sensitive strings.
    if (!signed.leaf.uris().includes(identity.iss)) {
      throw new AssertionRejected(`the x5c certificate does not name this client's URI ${identity.iss.slice(0, 200)} as a subject alternative name`);
    }
    try {
      await new CertificateTrust([anchor], this.revocation, this.now).validate(signed.leaf, signed.intermediates);
    } catch (err: unknown) {
      if (err instanceof CertificateRejected) throw new AssertionRejected(`the x5c certificate is not trusted for this client (${err.problem}): ${err.message}`);
      throw err;
    }
  }

  private anchorOf(identity: UdapClientIdentity): TrustAnchor {
    const encoded = identity.anchor_certificate;
    if (!encoded) throw new AssertionRejected("this server no longer trusts the client's UDAP community (its trust anchor is not configured)");
    let anchor = this.anchors.get(identity.anchor_sha256);
    if (!anchor) {
      let certificate: ParsedCertificate;
      try {
        certificate = ParsedCertificate.fromX5c(encoded, 'the trust anchor');
      } catch {
        throw new AssertionRejected("the client's trust anchor cannot be read");
      }
      if (certificate.sha256 !== identity.anchor_sha256) throw new AssertionRejected("the client's trust anchor is not the one it registered under");
      if (this.anchors.size >= MAX_ANCHORS) this.anchors.delete(this.anchors.keys().next().value as string);
      anchor = { certificate, sha256: certificate.sha256 };
      this.anchors.set(anchor.sha256, anchor);
    }
    return anchor;
  }
}
