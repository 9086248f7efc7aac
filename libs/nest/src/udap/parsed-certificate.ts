import { createHash, X509Certificate, type KeyObject } from 'node:crypto';
import { x509 } from './peculiar-x509.js';
import { CertificateRejected } from './certificate-rejected.js';

/** Longest DER certificate read (an `x5c` entry, a trust anchor). */
const MAX_CERTIFICATE_BYTES = 16_384;

/**
 * Extensions path validation processes or may ignore (RFC 5280 §4.2.1):
 * key usage, basic constraints, subject alternative name, extended key
 * usage, certificate policies (no policy is required, RFC 5280 §6.1.1 with
 * any-policy), key identifiers, CRL distribution points.
 */
const PROCESSED_EXTENSIONS = new Set(['2.5.29.15', '2.5.29.19', '2.5.29.17', '2.5.29.37', '2.5.29.32', '2.5.29.14', '2.5.29.35', '2.5.29.31']);

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+?)-----END CERTIFICATE-----/g;

/**
 * One X.509 certificate (RFC 5280), read once: Node's `X509Certificate` for
 * names, signatures and keys, @peculiar/x509 for the extensions Node does not
 * decode (key usage, basic constraints, subject alternative names, CRL
 * distribution points).
 */
export class ParsedCertificate {
  readonly node: X509Certificate;
  private readonly parsed: x509.X509Certificate;
  /** Lower-case hex SHA-256 of the DER encoding (the certificate's thumbprint). */
  readonly sha256: string;

  private constructor(readonly der: Buffer) {
    this.node = new X509Certificate(der);
    this.parsed = new x509.X509Certificate(der);
    this.sha256 = createHash('sha256').update(der).digest('hex');
  }

  /** @throws CertificateRejected (`malformed`) */
  static fromDer(der: Buffer, where = 'the certificate'): ParsedCertificate {
    if (der.length === 0 || der.length > MAX_CERTIFICATE_BYTES) throw new CertificateRejected('malformed', `${where} is empty or larger than ${MAX_CERTIFICATE_BYTES} bytes`);
    try {
      return new ParsedCertificate(der);
    } catch {
      throw new CertificateRejected('malformed', `${where} is not a DER X.509 certificate`);
    }
  }

  /** An `x5c` entry (RFC 7515 §4.1.6: base64, not base64url, DER). @throws CertificateRejected (`malformed`) */
  static fromX5c(entry: unknown, where: string): ParsedCertificate {
    if (typeof entry !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(entry)) throw new CertificateRejected('malformed', `${where} is not base64 DER`);
    return ParsedCertificate.fromDer(Buffer.from(entry, 'base64'), where);
  }

  /** Every certificate of a PEM bundle, in order. @throws CertificateRejected (`malformed`) */
  static fromPemBundle(text: string, where: string): ParsedCertificate[] {
    return [...text.matchAll(PEM_CERTIFICATE)].map((m, i) => ParsedCertificate.fromDer(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64'), `${where} certificate ${i + 1}`));
  }

  get subject(): string {
    return this.parsed.subject;
  }

  get issuer(): string {
    return this.parsed.issuer;
  }

  get notBefore(): Date {
    return this.parsed.notBefore;
  }

  get notAfter(): Date {
    return this.parsed.notAfter;
  }

  /** The serial number as lower-case hex without leading zeros (how CRL entries are compared). */
  get serial(): string {
    return normaliseSerial(this.parsed.serialNumber);
  }

  get publicKey(): KeyObject {
    return this.node.publicKey;
  }

  /** The `x5c` form of this certificate (RFC 7515 §4.1.6). */
  get x5c(): string {
    return this.der.toString('base64');
  }

  /** RFC 7515 §4.1.8 `x5t#S256`: base64url SHA-256 of the DER encoding. */
  get x5tS256(): string {
    return Buffer.from(this.sha256, 'hex').toString('base64url');
  }

  toPem(): string {
    return this.parsed.toString('pem');
  }

  /** The `uniformResourceIdentifier` entries of its subject alternative names (RFC 5280 §4.2.1.6). */
  uris(): string[] {
    const san = this.parsed.getExtension(x509.SubjectAlternativeNameExtension);
    return san ? san.names.items.filter((n) => n.type === 'url').map((n) => n.value) : [];
  }

  /** Key usage bits (RFC 5280 §4.2.1.3), or undefined when the extension is absent. */
  keyUsage(): number | undefined {
    return this.parsed.getExtension(x509.KeyUsagesExtension)?.usages;
  }

  /** Whether the key usage (when present) includes `flag`. */
  allows(flag: x509.KeyUsageFlags): boolean {
    const usage = this.keyUsage();
    return usage === undefined || (usage & flag) !== 0;
  }

  /** Basic constraints (RFC 5280 §4.2.1.9): whether it is a CA, and its path length constraint. */
  basicConstraints(): { ca: boolean; pathLength?: number } {
    const bc = this.parsed.getExtension(x509.BasicConstraintsExtension);
    return bc ? { ca: bc.ca, ...(bc.pathLength !== undefined ? { pathLength: bc.pathLength } : {}) } : { ca: false };
  }

  /** The http(s) URLs of its CRL distribution points (RFC 5280 §4.2.1.13, full names only). */
  crlUrls(): string[] {
    const ext = this.parsed.getExtension(x509.CRLDistributionPointsExtension);
    const urls = Array.from(ext?.distributionPoints ?? []).flatMap((dp) => dp.distributionPoint?.fullName?.map((name) => name.uniformResourceIdentifier) ?? []);
    return urls.filter((u): u is string => typeof u === 'string' && /^https?:\/\//i.test(u));
  }

  /** Whether `issuer` issued this certificate: names match and its key verifies this certificate's signature. */
  issuedBy(issuer: ParsedCertificate): boolean {
    try {
      return this.node.checkIssued(issuer.node) && this.node.verify(issuer.node.publicKey);
    } catch {
      return false;
    }
  }

  /**
   * The critical extensions path validation here does not process (RFC 5280
   * §4.2: a certificate with one must be refused), by OID; name constraints
   * and policy constraints among them.
   */
  unprocessedCriticalExtensions(): string[] {
    return this.parsed.extensions.filter((e) => e.critical && !PROCESSED_EXTENSIONS.has(e.type)).map((e) => e.type);
  }

  /** Whether `at` lies within its validity period (RFC 5280 §4.1.2.5). */
  validAt(at: Date): boolean {
    return this.notBefore.getTime() <= at.getTime() && at.getTime() <= this.notAfter.getTime();
  }

  /** @peculiar/x509's view, for CRL signature checks. */
  get peculiar(): x509.X509Certificate {
    return this.parsed;
  }
}

/** A serial number (hex, any case, leading zeros) in the one form compared. */
export function normaliseSerial(hex: string): string {
  return hex.toLowerCase().replace(/^0+(?=.)/, '');
}
