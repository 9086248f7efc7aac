import type { ClientPrivileges } from '#contracts';
import { readTrustAnchors, type TrustAnchor } from '#nest';
import { readCommunitiesFile } from './communities-file.js';
import { ServerSigner } from './server-signer.js';

/** Injection token of the {@link UdapConfiguration} (null: UDAP is not configured). */
export const UDAP_CONFIGURATION = 'UDAP_CONFIGURATION';

/** A trust community (UDAP Security 2.0 §2.4): one configured trust anchor and the policy for its clients. */
export interface UdapCommunity {
  anchor: TrustAnchor;
  uri?: string;
  /** Privileges its clients use without an administrator's approval (trust tiers). */
  privileges: ClientPrivileges | 'all';
  /** Its own server certificate, when it issued one; otherwise the default one signs. */
  signer?: ServerSigner;
}

/** UDAP as configured: the communities, the server certificate, and where CRLs may be fetched from. */
export interface UdapConfiguration {
  communities: UdapCommunity[];
  signer: ServerSigner;
  /** Host names exempt from the private-address refusal of CRL fetches (tests only). */
  crlAllowedHosts: string[];
}

export interface UdapSettings {
  UDAP_TRUST_ANCHORS_FILE?: string;
  UDAP_COMMUNITIES_FILE?: string;
  UDAP_SERVER_CERT_FILE?: string;
  UDAP_SERVER_KEY_FILE?: string;
  UDAP_CRL_ALLOWED_HOSTS?: string;
}

/**
 * Reads the UDAP settings (docs/operations.md "UDAP"). None set: null, and
 * `.well-known/udap` answers 404. UDAP needs both the trust anchors (whom
 * registrations are trusted from) and the server certificate and key (what
 * signs `signed_metadata`): one without the other is a mistake, as is every
 * unreadable file; each is a line in `problems` (the service refuses to start).
 */
export function readUdapConfiguration(settings: UdapSettings, readFile: (path: string) => string, problems: string[]): UdapConfiguration | null {
  const { UDAP_TRUST_ANCHORS_FILE: anchorsFile, UDAP_COMMUNITIES_FILE: communitiesFile, UDAP_SERVER_CERT_FILE: certFile, UDAP_SERVER_KEY_FILE: keyFile } = settings;
  if (!anchorsFile && !communitiesFile && !certFile && !keyFile) return null;
  const read = (name: string, path: string): string | undefined => {
    try {
      return readFile(path);
    } catch (err: unknown) {
      problems.push(`${name}: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      return undefined;
    }
  };
  if (!anchorsFile) problems.push('UDAP_TRUST_ANCHORS_FILE: required with the other UDAP settings (the communities whose clients may register)');
  if (!certFile || !keyFile) problems.push('UDAP_SERVER_CERT_FILE and UDAP_SERVER_KEY_FILE: both required with the other UDAP settings (they sign signed_metadata)');
  const anchorsPem = anchorsFile ? read('UDAP_TRUST_ANCHORS_FILE', anchorsFile) : undefined;
  const anchors = anchorsPem === undefined ? [] : readTrustAnchors(anchorsPem, 'UDAP_TRUST_ANCHORS_FILE', problems);
  const signer = certFile && keyFile ? readSigner(certFile, keyFile, { certificate: 'UDAP_SERVER_CERT_FILE', key: 'UDAP_SERVER_KEY_FILE' }, read, problems) : undefined;
  let communities: UdapCommunity[] = anchors.map((anchor) => ({ anchor, privileges: 'all' }));
  if (communitiesFile) {
    const text = read('UDAP_COMMUNITIES_FILE', communitiesFile);
    communities = (text === undefined ? [] : readCommunitiesFile(text, 'UDAP_COMMUNITIES_FILE', anchors, problems)).map((policy, i) => {
      const own = policy.serverCertificateFile && policy.serverKeyFile
        ? readSigner(policy.serverCertificateFile, policy.serverKeyFile, { certificate: `communities[${i}].server_certificate_file`, key: `communities[${i}].server_key_file` }, read, problems)
        : undefined;
      return { anchor: policy.anchor, privileges: policy.privileges, ...(policy.uri ? { uri: policy.uri } : {}), ...(own ? { signer: own } : {}) };
    });
  }
  if (!signer || problems.length > 0) return null;
  const crlAllowedHosts = (settings.UDAP_CRL_ALLOWED_HOSTS ?? '').split(',').map((h) => h.trim()).filter(Boolean);
  return { communities, signer, crlAllowedHosts };
}

function readSigner(certFile: string, keyFile: string, names: { certificate: string; key: string }, read: (name: string, path: string) => string | undefined, problems: string[]): ServerSigner | undefined {
  const certificate = read(names.certificate, certFile);
  const key = read(names.key, keyFile);
  return certificate === undefined || key === undefined ? undefined : ServerSigner.read(certificate, key, names, problems);
}
