import { isCancellation, registrationMetadataProblems, type UdapRuleProblem } from '#nest';
import { InvalidClientMetadata, InvalidRedirectUri, InvalidSoftwareStatement, type OAuthError } from '#oauth';

/** Claims of a software statement that are about the statement, not the client (RFC 7519 §4.1), and server-assigned fields. */
const NOT_METADATA = ['iss', 'sub', 'aud', 'exp', 'iat', 'nbf', 'jti', 'client_id', 'client_secret', 'registration_access_token', 'registration_client_uri', 'client_id_issued_at', 'client_secret_expires_at'];

/** What a valid software statement asks: a registration (or a modification) with this metadata, or a cancellation. */
export type UdapRegistrationIntent = { kind: 'cancel' } | { kind: 'register'; metadata: Record<string, unknown> };

/** The OAuth error a broken rule is answered with (RFC 7591 §3.2.2). */
export function udapRuleError(problem: UdapRuleProblem): OAuthError {
  if (problem.error === 'invalid_redirect_uri') return new InvalidRedirectUri(problem.message);
  if (problem.error === 'invalid_software_statement') return new InvalidSoftwareStatement(problem.message);
  return new InvalidClientMetadata(problem.message);
}

/**
 * The registration metadata rules of UDAP Security 2.0 §3.1 (the shared
 * rules of libs/nest udap/registration-metadata-rules.ts, which `smart-auth
 * udap inspect` runs too; the first one broken is the answer), checked before
 * the RFC 7591 validation every registration goes through; then the metadata
 * to register, the JWT claims dropped and `response_types` defaulting to
 * `["code"]` with `authorization_code`, or a cancellation (`grant_types: []`,
 * §3.4).
 *
 * @throws InvalidClientMetadata / InvalidRedirectUri (RFC 7591 §3.2.2)
 */
export function udapRegistrationIntent(claims: Record<string, unknown>): UdapRegistrationIntent {
  const [problem] = registrationMetadataProblems(claims);
  if (problem) throw udapRuleError(problem);
  if (isCancellation(claims)) return { kind: 'cancel' };
  const code = (claims.grant_types as string[]).includes('authorization_code');
  const metadata = Object.fromEntries(Object.entries(claims).filter(([claim]) => !NOT_METADATA.includes(claim)));
  return { kind: 'register', metadata: code && claims.response_types === undefined ? { ...metadata, response_types: ['code'] } : metadata };
}
