import { CertificateRejected } from './certificate-rejected.js';
import { ParsedCertificate } from './parsed-certificate.js';

/** A configured trust anchor (a community's root or issuing CA), known by its SHA-256 thumbprint. */
export interface TrustAnchor {
  certificate: ParsedCertificate;
  /** Lower-case hex SHA-256 of its DER encoding. */
  sha256: string;
}

/**
 * The anchors of a PEM bundle (UDAP_TRUST_ANCHORS_FILE). Each must be a CA
 * certificate (basic constraints `cA`), within its validity period, and
 * listed once; every mistake is a line in `problems`.
 */
export function readTrustAnchors(pem: string, where: string, problems: string[], now = new Date()): TrustAnchor[] {
  let certificates: ParsedCertificate[];
  try {
    certificates = ParsedCertificate.fromPemBundle(pem, where);
  } catch (err: unknown) {
    problems.push(err instanceof CertificateRejected ? err.message : `${where}: ${(err as Error).message}`);
    return [];
  }
  if (certificates.length === 0) problems.push(`${where}: holds no PEM certificate`);
  const anchors: TrustAnchor[] = [];
  certificates.forEach((certificate, i) => {
    const name = `${where} certificate ${i + 1} (${certificate.subject})`;
    if (!certificate.basicConstraints().ca) problems.push(`${name}: is not a CA certificate (basic constraints cA)`);
    else if (!certificate.validAt(now)) problems.push(`${name}: is outside its validity period (${certificate.notBefore.toISOString()} to ${certificate.notAfter.toISOString()})`);
    else if (anchors.some((a) => a.sha256 === certificate.sha256)) problems.push(`${name}: is listed twice`);
    else anchors.push({ certificate, sha256: certificate.sha256 });
  });
  return anchors;
}
