import { parse as parseYaml } from 'yaml';
import type { ClientPrivileges } from '#contracts';
import type { TrustAnchor } from '#nest';
import { isObject, privilegesSetting } from '../config/trust-config.js';

/** One entry of UDAP_COMMUNITIES_FILE, as read (file paths not yet opened). */
export interface CommunityPolicy {
  /** The community's URI: the value of `?community=` at `.well-known/udap` (UDAP Security 2.0 §2.4). */
  uri?: string;
  anchor: TrustAnchor;
  /** What its clients use without an administrator's approval (trust tiers): privileged scopes and grant types, or all. */
  privileges: ClientPrivileges | 'all';
  /** A server certificate the community issued, for `signed_metadata` asked with its URI. */
  serverCertificateFile?: string;
  serverKeyFile?: string;
}

const KNOWN_KEYS = ['uri', 'anchor', 'privileges', 'server_certificate_file', 'server_key_file'];

/** A SHA-256 fingerprint as openssl prints it (`AB:CD:…`) or as plain hex, in lower-case hex. */
function fingerprint(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const hex = value.replace(/^sha256 fingerprint=/i, '').replace(/:/g, '').trim().toLowerCase();
  return /^[0-9a-f]{64}$/.test(hex) ? hex : undefined;
}

function absoluteUri(value: string): boolean {
  return /^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(value) && value.length <= 1024;
}

/**
 * Reads UDAP_COMMUNITIES_FILE (YAML, docs/operations.md "UDAP"): one entry
 * per trust anchor of UDAP_TRUST_ANCHORS_FILE, each naming its anchor by
 * SHA-256 fingerprint, optionally its community URI, the privileges its
 * clients get without approval (default `*`, `""` for none) and a server
 * certificate of its own. Every anchor must be named exactly once; every
 * mistake is a line in `problems`.
 */
export function readCommunitiesFile(text: string, where: string, anchors: readonly TrustAnchor[], problems: string[]): CommunityPolicy[] {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (err: unknown) {
    problems.push(`${where}: not valid YAML (${(err as Error).message.split('\n')[0]})`);
    return [];
  }
  const entries = isObject(document) ? document.communities : undefined;
  if (!Array.isArray(entries)) {
    problems.push(`${where}: must be a YAML object with a "communities" list`);
    return [];
  }
  const policies: CommunityPolicy[] = [];
  entries.forEach((entry: unknown, i) => {
    const at = `${where} communities[${i}]`;
    if (!isObject(entry)) return void problems.push(`${at}: must be an object`);
    const unknown = Object.keys(entry).find((k) => !KNOWN_KEYS.includes(k));
    if (unknown !== undefined) problems.push(`${at}: unknown key "${unknown.slice(0, 40)}" (known: ${KNOWN_KEYS.join(', ')})`);
    const sha256 = fingerprint(entry.anchor);
    const anchor = sha256 === undefined ? undefined : anchors.find((a) => a.sha256 === sha256);
    if (!anchor) return void problems.push(`${at}: "anchor" must be the SHA-256 fingerprint of a certificate in UDAP_TRUST_ANCHORS_FILE`);
    if (policies.some((p) => p.anchor === anchor)) return void problems.push(`${at}: the anchor ${anchor.certificate.subject} has an entry already`);
    const { uri } = entry;
    if (uri !== undefined && (typeof uri !== 'string' || !absoluteUri(uri))) problems.push(`${at}: "uri" must be an absolute URI`);
    else if (uri !== undefined && policies.some((p) => p.uri === uri)) problems.push(`${at}: the uri ${uri} is another community's`);
    const privileges = entry.privileges === '' ? { scope: [], grant_types: [] } : privilegesSetting(entry.privileges, at, problems);
    const files = { cert: entry.server_certificate_file, key: entry.server_key_file };
    if ((files.cert === undefined) !== (files.key === undefined) || [files.cert, files.key].some((f) => f !== undefined && typeof f !== 'string')) {
      problems.push(`${at}: give both "server_certificate_file" and "server_key_file" (paths), or neither`);
    }
    policies.push({
      ...(typeof uri === 'string' ? { uri } : {}),
      anchor,
      privileges,
      ...(typeof files.cert === 'string' && typeof files.key === 'string' ? { serverCertificateFile: files.cert, serverKeyFile: files.key } : {}),
    });
  });
  for (const anchor of anchors) {
    if (!policies.some((p) => p.anchor === anchor)) problems.push(`${where}: names no entry for the trust anchor ${anchor.certificate.subject} (SHA-256 ${anchor.sha256})`);
  }
  return policies;
}
