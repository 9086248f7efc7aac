import { x509 } from './peculiar-x509.js';
import { CertificateRejected } from './certificate-rejected.js';
import type { CertificationPath } from './certificate-chain.js';
import { CrlUnavailable, type CrlSource } from './crl-fetcher.js';
import { normaliseSerial, type ParsedCertificate } from './parsed-certificate.js';

/** Clock skew allowed on a CRL's `thisUpdate` and `nextUpdate`. */
const CRL_CLOCK_SKEW_MS = 60_000;

/**
 * Revocation of a certification path through CRLs (RFC 5280 §6.3, UDAP
 * Security 2.0 §7.1.5 "not revoked"): every certificate under the anchor
 * that names CRL distribution points is looked up on the CRL its issuer
 * published there. A CRL counts only when its issuer name is the
 * certificate's issuer, its signature verifies with the issuer's key, and
 * it is current (`thisUpdate` passed, `nextUpdate` not). When no
 * distribution point of a certificate yields such a CRL, its status is
 * unknown and the path is refused (fail closed). A certificate without
 * distribution points has no revocation to check (its CA publishes none);
 * trust anchors are trusted by configuration. Indirect and delta CRLs are
 * not used.
 */
export class CrlRevocation {
  constructor(private readonly crls: CrlSource) {}

  /** @throws CertificateRejected `revoked` or `revocation_unknown` */
  async check(path: CertificationPath, now: Date): Promise<void> {
    const { certificates } = path;
    for (let i = 0; i < certificates.length - 1; i++) await this.checkOne(certificates[i]!, certificates[i + 1]!, now);
  }

  private async checkOne(certificate: ParsedCertificate, issuer: ParsedCertificate, now: Date): Promise<void> {
    const urls = certificate.crlUrls();
    if (urls.length === 0) return;
    const reasons: string[] = [];
    for (const url of urls.slice(0, 4)) {
      let crl: x509.X509Crl;
      try {
        crl = await this.crls.crl(url);
      } catch (err: unknown) {
        if (!(err instanceof CrlUnavailable)) throw err;
        reasons.push(err.message);
        continue;
      }
      const problem = await crlProblem(crl, issuer, now);
      if (problem) {
        reasons.push(`the CRL at ${url.slice(0, 200)} ${problem}`);
        continue;
      }
      const serial = certificate.serial;
      if (crl.entries.some((entry) => normaliseSerial(entry.serialNumber) === serial)) {
        throw new CertificateRejected('revoked', `the certificate ${certificate.subject} is revoked (listed on its issuer's CRL)`);
      }
      return;
    }
    throw new CertificateRejected('revocation_unknown', `the revocation status of ${certificate.subject} cannot be checked: ${reasons.join('; ')}`);
  }
}

/** Why `crl` cannot vouch for certificates `issuer` issued, or null when it can. */
async function crlProblem(crl: x509.X509Crl, issuer: ParsedCertificate, now: Date): Promise<string | null> {
  if (crl.issuer !== issuer.subject) return `was issued by ${crl.issuer}, not ${issuer.subject}`;
  let verified = false;
  try {
    verified = await crl.verify({ publicKey: issuer.peculiar.publicKey });
  } catch {
    verified = false;
  }
  if (!verified) return "is not signed by the certificate's issuer";
  if (crl.thisUpdate.getTime() > now.getTime() + CRL_CLOCK_SKEW_MS) return 'is not valid yet (thisUpdate)';
  if (crl.nextUpdate && crl.nextUpdate.getTime() < now.getTime() - CRL_CLOCK_SKEW_MS) return 'is out of date (nextUpdate has passed)';
  return null;
}
