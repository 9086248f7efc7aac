import type { UdapRuleProblem } from './udap-rule-problem.js';

/** Grant types a UDAP client may register (UDAP Security 2.0 §3.1). */
export const UDAP_GRANT_TYPES: readonly string[] = ['authorization_code', 'refresh_token', 'client_credentials'];

const isHttps = (value: unknown): value is string => typeof value === 'string' && /^https:\/\/[^\s/?#]+[^\s]*$/i.test(value);

/** Whether `uri` is an https URL whose path names a PNG, JPG or GIF image (§3.1 `logo_uri`). */
function isImageUrl(uri: unknown): boolean {
  if (!isHttps(uri)) return false;
  try {
    return /\.(png|jpe?g|gif)$/i.test(new URL(uri).pathname);
  } catch {
    return false;
  }
}

/** Whether the statement's `grant_types` is an empty array: a cancellation of an earlier registration (§3.4). */
export function isCancellation(claims: Record<string, unknown>): boolean {
  return Array.isArray(claims.grant_types) && claims.grant_types.length === 0;
}

/**
 * Every registration metadata rule of UDAP Security 2.0 §3.1 a software
 * statement breaks, in the order the registration endpoint checks them:
 * `grant_types` required, from `authorization_code`, `refresh_token`,
 * `client_credentials`, with exactly one of `authorization_code` and
 * `client_credentials` (`refresh_token` only with `authorization_code`;
 * empty cancels, §3.4, and then nothing else is asked); `client_name`,
 * `scope` and `contacts` (with a `mailto:` URI) required;
 * `token_endpoint_auth_method` `private_key_jwt`; no `jwks` or `jwks_uri`;
 * with `authorization_code`: https `redirect_uris`, `response_types`
 * `["code"]`, an https `logo_uri` of a PNG, JPG or GIF; without it, neither
 * redirect URIs nor response types. Empty: none broken. Pure.
 */
export function registrationMetadataProblems(claims: Record<string, unknown>): UdapRuleProblem[] {
  const problems: UdapRuleProblem[] = [];
  const broken = (rule: string, message: string, error: UdapRuleProblem['error'] = 'invalid_client_metadata') => problems.push({ rule, error, message });
  const grantTypes = claims.grant_types;
  if (!Array.isArray(grantTypes) || grantTypes.some((g) => typeof g !== 'string')) {
    broken('grant-types-required', 'grant_types is required: an array of grant types');
    return problems;
  }
  if (grantTypes.length === 0) return problems;
  const unsupported = grantTypes.find((g) => !UDAP_GRANT_TYPES.includes(g as string));
  if (unsupported !== undefined) broken('grant-types-udap', `grant_types: "${String(unsupported).slice(0, 80)}" cannot be registered through UDAP (${UDAP_GRANT_TYPES.join(', ')})`);
  const code = grantTypes.includes('authorization_code');
  if (code === grantTypes.includes('client_credentials')) broken('grant-types-one-flow', 'grant_types must include either "authorization_code" or "client_credentials", not both');
  if (grantTypes.includes('refresh_token') && !code) broken('refresh-token-with-authorization-code', 'grant_types: "refresh_token" only with "authorization_code"');
  if (typeof claims.client_name !== 'string' || claims.client_name.trim() === '') broken('client-name-required', 'client_name is required');
  if (typeof claims.scope !== 'string' || claims.scope.trim() === '') broken('scope-required', 'scope is required');
  const contacts = claims.contacts;
  if (!Array.isArray(contacts) || !contacts.some((c) => typeof c === 'string' && /^mailto:[^\s@]+@[^\s@]+$/i.test(c))) broken('contacts-mailto', 'contacts is required and must hold a mailto: URI');
  if (claims.token_endpoint_auth_method !== 'private_key_jwt') broken('auth-method-private-key-jwt', 'token_endpoint_auth_method must be "private_key_jwt"');
  if (claims.jwks !== undefined || claims.jwks_uri !== undefined) broken('no-registered-keys', "jwks and jwks_uri cannot be registered: a UDAP client's key is its certificate's");
  const { redirect_uris: redirectUris, response_types: responseTypes, logo_uri: logoUri } = claims;
  if (code) {
    if (!Array.isArray(redirectUris) || redirectUris.length === 0) broken('redirect-uris-required', 'redirect_uris is required with the authorization_code grant', 'invalid_redirect_uri');
    else if (!redirectUris.every(isHttps)) broken('redirect-uris-https', 'every redirect URI must use the https scheme', 'invalid_redirect_uri');
    if (responseTypes !== undefined && (!Array.isArray(responseTypes) || responseTypes.length !== 1 || responseTypes[0] !== 'code')) {
      broken('response-types-code', 'response_types must be ["code"] with the authorization_code grant');
    }
    if (!isImageUrl(logoUri)) broken('logo-uri-image', 'logo_uri is required with the authorization_code grant: an https URL of a PNG, JPG or GIF image');
  } else {
    if (redirectUris !== undefined) broken('redirect-uris-absent', 'redirect_uris must be absent without the authorization_code grant');
    if (responseTypes !== undefined) broken('response-types-absent', 'response_types must be absent without the authorization_code grant');
  }
  return problems;
}
