import {
  CertificateRejected,
  ParsedCertificate,
  readTrustAnchors,
  readX5cSignedJwt,
  registrationMetadataProblems,
  statementClaimProblems,
  validateCertificationPath,
  x509,
  X5cJwtRejected,
  type TrustAnchor,
  type UdapRuleProblem,
} from '#nest/udap';
import { describeCertificate, type CertificateView } from './certificate-view.js';

/** One rule, as `udap inspect` reports it: broken (a problem), or not checked here (and why). */
export interface RuleOutcome {
  rule: string;
  message: string;
  /** The registration endpoint's answer to this problem, when it is one. */
  error?: string;
}

/** What `smart-auth udap inspect` found in its input. */
export interface Inspection {
  /** What the input is: a software statement (a compact JWS), a registration request body (JSON), or certificates (PEM). */
  kind: 'software_statement' | 'registration_request' | 'certificates';
  /** The statement's JOSE header (`alg`, how many `x5c` certificates). */
  header?: { alg: unknown; x5c: number };
  certificates: CertificateView[];
  claims?: Record<string, unknown>;
  problems: RuleOutcome[];
  not_checked: RuleOutcome[];
  /** Whether the registration endpoint would accept it, as far as it can be told here. */
  accepted: boolean;
}

export interface InspectionOptions {
  /** PEM bundle of trust anchors (`--anchors`): whether the chain reaches one is checked. */
  anchorsPem?: string;
  /** The registration endpoint the statement's `aud` must name (`--registration-endpoint`). */
  registrationEndpoint?: string;
  now?: Date;
}

const PEM_CERTIFICATE = '-----BEGIN CERTIFICATE-----';

/** The parts of a compact JWS, decoded without verification (for showing what it says). */
function decodeUnverified(jwt: string): { header: Record<string, unknown>; payload: Record<string, unknown> } | undefined {
  const parts = jwt.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    const [header, payload] = [decode(parts[0]!), decode(parts[1]!)];
    const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
    return isObject(header) && isObject(payload) ? { header, payload } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Explains, locally, why the registration endpoint would refuse a UDAP
 * software statement (UDAP Security 2.0 §3; UDAP Dynamic Client
 * Registration §4) or a client certificate: the `x5c` chain (subjects, SANs,
 * validity, key usage, CRL distribution points), the statement's signature,
 * the claims and registration metadata rules (the server's own, from
 * libs/nest), the request's `udap` member, and, given trust anchors, whether
 * the chain reaches one. Revocation is the server's to check (it fetches the
 * CRLs); nothing here goes to the network.
 */
export async function inspectUdapInput(input: string, options: InspectionOptions = {}): Promise<Inspection> {
  const now = options.now ?? new Date();
  const text = input.trim();
  const problems: RuleOutcome[] = [];
  const notChecked: RuleOutcome[] = [];
  const broken = (rule: string, message: string, error?: string) => problems.push({ rule, message, ...(error ? { error } : {}) });
  const anchors = readAnchors(options.anchorsPem, broken);

  if (text.includes(PEM_CERTIFICATE)) {
    let certificates: ParsedCertificate[] = [];
    try {
      certificates = ParsedCertificate.fromPemBundle(text, 'the input');
    } catch (err: unknown) {
      broken('certificate-readable', err instanceof CertificateRejected ? err.message : 'the input is not a PEM certificate bundle');
    }
    if (certificates.length > 0) {
      if (certificates[0]!.uris().length === 0) broken('leaf-san-uri', 'the first certificate names no uniformResourceIdentifier subject alternative name: a UDAP client URI is one');
      checkChain(certificates, anchors, now, broken, notChecked);
    }
    return finish('certificates', { certificates: certificates.map((c) => describeCertificate(c, now)), problems, notChecked });
  }

  let statement = text;
  let kind: Inspection['kind'] = 'software_statement';
  if (text.startsWith('{')) {
    kind = 'registration_request';
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      broken('request-json', 'the registration request is not JSON', 'invalid_client_metadata');
    }
    const request = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    if (request.udap !== '1') broken('udap-1', 'the registration request must say "udap": "1" (UDAP Dynamic Client Registration §3)', 'invalid_client_metadata');
    if (typeof request.software_statement !== 'string') {
      broken('software-statement-required', 'the registration request carries no software_statement', 'invalid_software_statement');
      return finish(kind, { certificates: [], problems, notChecked });
    }
    statement = request.software_statement.trim();
  } else {
    notChecked.push({ rule: 'udap-1', message: 'a bare statement was given: the registration request must also say "udap": "1"' });
  }

  const decoded = decodeUnverified(statement);
  if (!decoded) {
    broken('compact-jws', 'the software statement is not a compact JWS (RFC 7515 §7.1)', 'invalid_software_statement');
    return finish(kind, { certificates: [], problems, notChecked });
  }
  const x5c = Array.isArray(decoded.header.x5c) ? decoded.header.x5c : [];
  const certificates: ParsedCertificate[] = [];
  for (const [i, entry] of x5c.entries()) {
    try {
      certificates.push(ParsedCertificate.fromX5c(entry, `x5c[${i}]`));
    } catch (err: unknown) {
      broken('x5c-readable', err instanceof CertificateRejected ? err.message : `x5c[${i}] cannot be read`, 'invalid_software_statement');
    }
  }
  try {
    await readX5cSignedJwt(statement);
  } catch (err: unknown) {
    broken('signature', err instanceof X5cJwtRejected ? err.message : 'the signature cannot be checked', 'invalid_software_statement');
  }
  const rules: UdapRuleProblem[] = [
    ...statementClaimProblems(decoded.payload, certificates[0]?.uris() ?? [], options.registrationEndpoint, Math.floor(now.getTime() / 1000)),
    ...registrationMetadataProblems(decoded.payload),
  ];
  for (const problem of rules) broken(problem.rule, problem.message, problem.error);
  if (options.registrationEndpoint === undefined) notChecked.push({ rule: 'aud-is-registration-endpoint', message: 'aud was only checked to be one URL: give --registration-endpoint to compare it' });
  if (certificates.length > 0) checkChain(certificates, anchors, now, broken, notChecked);
  notChecked.push({ rule: 'jti-unused', message: 'whether the jti was used before is known to the server only' });
  return finish(kind, {
    header: { alg: decoded.header.alg, x5c: x5c.length },
    certificates: certificates.map((c) => describeCertificate(c, now)),
    claims: decoded.payload,
    problems,
    notChecked,
  });
}

function readAnchors(pem: string | undefined, broken: (rule: string, message: string) => void): TrustAnchor[] | undefined {
  if (pem === undefined) return undefined;
  const problems: string[] = [];
  const anchors = readTrustAnchors(pem, '--anchors', problems);
  for (const problem of problems) broken('anchors-readable', problem);
  return anchors;
}

/** The chain's own rules (validity, the signer's key usage), its path to an anchor when anchors were given, and what is left to the server. */
function checkChain(certificates: ParsedCertificate[], anchors: TrustAnchor[] | undefined, now: Date, broken: (rule: string, message: string, error?: string) => void, notChecked: RuleOutcome[]): void {
  const [leaf, ...intermediates] = certificates as [ParsedCertificate, ...ParsedCertificate[]];
  for (const certificate of certificates) {
    if (!certificate.validAt(now)) broken('certificate-validity', `${certificate.subject} is outside its validity period (${certificate.notBefore.toISOString()} to ${certificate.notAfter.toISOString()})`, 'unapproved_software_statement');
  }
  if (!leaf.allows(x509.KeyUsageFlags.digitalSignature)) broken('leaf-key-usage', `${leaf.subject} may not sign (key usage lacks digitalSignature)`, 'unapproved_software_statement');
  if (anchors === undefined) {
    notChecked.push({ rule: 'chain-to-anchor', message: 'give --anchors <pem file> to check that the chain reaches a trust anchor' });
  } else if (anchors.length > 0) {
    try {
      validateCertificationPath(leaf, intermediates, anchors, now);
    } catch (err: unknown) {
      if (!(err instanceof CertificateRejected)) throw err;
      // Validity and the signer's key usage are reported above; the path's own verdict says the rest.
      const reported = err.problem === 'expired' || (err.problem === 'usage' && !leaf.allows(x509.KeyUsageFlags.digitalSignature));
      if (!reported) broken('chain-to-anchor', err.message, 'unapproved_software_statement');
    }
  }
  const points = [...new Set(certificates.flatMap((c) => c.crlUrls()))];
  notChecked.push({ rule: 'revocation', message: points.length > 0 ? `the server fetches the CRLs (${points.join(', ')}); not fetched here` : 'no certificate names a CRL distribution point' });
}

function finish(kind: Inspection['kind'], parts: { header?: Inspection['header']; certificates: CertificateView[]; claims?: Record<string, unknown>; problems: RuleOutcome[]; notChecked: RuleOutcome[] }): Inspection {
  return {
    kind,
    ...(parts.header ? { header: parts.header } : {}),
    certificates: parts.certificates,
    ...(parts.claims ? { claims: parts.claims } : {}),
    problems: parts.problems,
    not_checked: parts.notChecked,
    accepted: parts.problems.length === 0,
  };
}
