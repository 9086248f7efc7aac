import { x509, type ParsedCertificate } from '#nest/udap';

/** What `udap inspect` shows of one certificate of a chain. */
export interface CertificateView {
  subject: string;
  issuer: string;
  serial: string;
  sha256: string;
  not_before: string;
  not_after: string;
  /** Whether it is within its validity period now. */
  validity: 'valid' | 'expired' | 'not yet valid';
  san_uris: string[];
  /** Key usage bits by name; absent when the extension is (every usage allowed). */
  key_usage?: string[];
  ca: boolean;
  path_length?: number;
  crl_distribution_points: string[];
}

const KEY_USAGES: ReadonlyArray<[x509.KeyUsageFlags, string]> = [
  [x509.KeyUsageFlags.digitalSignature, 'digitalSignature'],
  [x509.KeyUsageFlags.nonRepudiation, 'nonRepudiation'],
  [x509.KeyUsageFlags.keyEncipherment, 'keyEncipherment'],
  [x509.KeyUsageFlags.dataEncipherment, 'dataEncipherment'],
  [x509.KeyUsageFlags.keyAgreement, 'keyAgreement'],
  [x509.KeyUsageFlags.keyCertSign, 'keyCertSign'],
  [x509.KeyUsageFlags.cRLSign, 'cRLSign'],
  [x509.KeyUsageFlags.encipherOnly, 'encipherOnly'],
  [x509.KeyUsageFlags.decipherOnly, 'decipherOnly'],
];

/** The certificate as `udap inspect` shows it (RFC 5280 §4.1, §4.2). */
export function describeCertificate(certificate: ParsedCertificate, now: Date): CertificateView {
  const usage = certificate.keyUsage();
  const { ca, pathLength } = certificate.basicConstraints();
  return {
    subject: certificate.subject,
    issuer: certificate.issuer,
    serial: certificate.serial,
    sha256: certificate.sha256,
    not_before: certificate.notBefore.toISOString(),
    not_after: certificate.notAfter.toISOString(),
    validity: now < certificate.notBefore ? 'not yet valid' : now > certificate.notAfter ? 'expired' : 'valid',
    san_uris: certificate.uris(),
    ...(usage !== undefined ? { key_usage: KEY_USAGES.filter(([flag]) => (usage & flag) !== 0).map(([, name]) => name) } : {}),
    ca,
    ...(pathLength !== undefined ? { path_length: pathLength } : {}),
    crl_distribution_points: certificate.crlUrls(),
  };
}
