import type { ClientPrivileges, JsonWebKeySet } from '#contracts';
import { OAuthError, parsePrivileges, sha256Hex } from '#oauth';

/** Injection token of the {@link TrustConfiguration}. */
export const TRUST_CONFIGURATION = 'TRUST_CONFIGURATION';

/** Who may vouch for a registration's privileges, as configured. */
export interface TrustConfiguration {
  initialAccessTokens: InitialAccessToken[];
  softwareStatementIssuers: TrustedIssuer[];
  autoApprove: boolean;
}

/** An initial access token (RFC 7591 §3), kept only as its SHA-256, and what it vouches for. */
export interface InitialAccessToken {
  sha256: string;
  privileges: ClientPrivileges | 'all';
  /** Where it was configured, for messages (never the token). */
  label: string;
}

/** An issuer of software statements (RFC 7591 §2.3) this server trusts, with its keys. */
export interface TrustedIssuer {
  issuer: string;
  jwks?: JsonWebKeySet;
  jwksUri?: string;
  privileges: ClientPrivileges | 'all';
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function privilegesSetting(value: unknown, where: string, problems: string[]): ClientPrivileges | 'all' {
  if (value === undefined) return 'all';
  if (typeof value !== 'string' || value.trim() === '') {
    problems.push(`${where}: "privileges" must be a space-separated string of privileged scopes and grant types, or "*"`);
    return { scope: [], grant_types: [] };
  }
  try {
    return parsePrivileges(value);
  } catch (err: unknown) {
    problems.push(`${where}: "privileges": ${err instanceof OAuthError ? err.description : (err as Error).message}`);
    return { scope: [], grant_types: [] };
  }
}

function parseJson(name: string, text: string, problems: string[]): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err: unknown) {
    problems.push(`${name}: not valid JSON (${(err as Error).message})`);
    return undefined;
  }
}

/**
 * Reads the trust settings (REGISTRATION_INITIAL_ACCESS_TOKEN[S],
 * SOFTWARE_STATEMENT_ISSUERS, REGISTRATION_AUTO_APPROVE); every mistake is a
 * line in `problems` (the service refuses to start), never a silent default.
 */
export function readTrustConfiguration(
  settings: {
    REGISTRATION_INITIAL_ACCESS_TOKEN?: string;
    REGISTRATION_INITIAL_ACCESS_TOKENS?: string;
    SOFTWARE_STATEMENT_ISSUERS?: string;
    REGISTRATION_AUTO_APPROVE: string;
  },
  problems: string[],
): TrustConfiguration {
  const initialAccessTokens: InitialAccessToken[] = [];
  if (settings.REGISTRATION_INITIAL_ACCESS_TOKEN) {
    initialAccessTokens.push({ sha256: sha256Hex(settings.REGISTRATION_INITIAL_ACCESS_TOKEN), privileges: 'all', label: 'REGISTRATION_INITIAL_ACCESS_TOKEN' });
  }
  if (settings.REGISTRATION_INITIAL_ACCESS_TOKENS) {
    const list = parseJson('REGISTRATION_INITIAL_ACCESS_TOKENS', settings.REGISTRATION_INITIAL_ACCESS_TOKENS, problems);
    if (list !== undefined && !Array.isArray(list)) problems.push('REGISTRATION_INITIAL_ACCESS_TOKENS: must be a JSON array of {"token" | "token_sha256", "privileges"}');
    (Array.isArray(list) ? list : []).forEach((entry: unknown, i) => {
      const where = `REGISTRATION_INITIAL_ACCESS_TOKENS[${i}]`;
      if (!isObject(entry)) return void problems.push(`${where}: must be an object`);
      const { token, token_sha256: hash } = entry;
      let sha256: string | undefined;
      if (typeof token === 'string' && hash === undefined) {
        if (token.length < 16) problems.push(`${where}: "token" must be at least 16 characters`);
        sha256 = sha256Hex(token);
      } else if (typeof hash === 'string' && token === undefined) {
        if (!SHA256_HEX.test(hash)) problems.push(`${where}: "token_sha256" must be 64 lowercase hex digits`);
        sha256 = hash;
      } else {
        problems.push(`${where}: give exactly one of "token" and "token_sha256"`);
      }
      const privileges = privilegesSetting(entry.privileges, where, problems);
      if (sha256) initialAccessTokens.push({ sha256, privileges, label: where });
    });
  }
  const softwareStatementIssuers: TrustedIssuer[] = [];
  if (settings.SOFTWARE_STATEMENT_ISSUERS) {
    const map = parseJson('SOFTWARE_STATEMENT_ISSUERS', settings.SOFTWARE_STATEMENT_ISSUERS, problems);
    if (map !== undefined && !isObject(map)) problems.push('SOFTWARE_STATEMENT_ISSUERS: must be a JSON object of issuer → {"jwks" | "jwks_uri", "privileges"?}');
    for (const [issuer, entry] of Object.entries(isObject(map) ? map : {})) {
      const where = `SOFTWARE_STATEMENT_ISSUERS["${issuer.slice(0, 100)}"]`;
      if (issuer === '' || issuer.length > 512) problems.push(`${where}: the issuer must be 1 to 512 characters`);
      if (!isObject(entry)) {
        problems.push(`${where}: must be an object with "jwks" or "jwks_uri"`);
        continue;
      }
      const { jwks, jwks_uri: jwksUri } = entry;
      const privileges = privilegesSetting(entry.privileges, where, problems);
      if (isObject(jwks) && Array.isArray(jwks.keys) && jwksUri === undefined) {
        softwareStatementIssuers.push({ issuer, jwks: jwks as unknown as JsonWebKeySet, privileges });
      } else if (typeof jwksUri === 'string' && jwks === undefined) {
        let url: URL | undefined;
        try {
          url = new URL(jwksUri);
        } catch {
          url = undefined;
        }
        if (!url || (url.protocol !== 'https:' && !(url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)))) {
          problems.push(`${where}: "jwks_uri" must be an https URL (http only for loopback hosts)`);
        } else {
          softwareStatementIssuers.push({ issuer, jwksUri, privileges });
        }
      } else {
        problems.push(`${where}: give exactly one of "jwks" (a JWK Set) and "jwks_uri"`);
      }
    }
  }
  return { initialAccessTokens, softwareStatementIssuers, autoApprove: settings.REGISTRATION_AUTO_APPROVE === 'true' };
}
