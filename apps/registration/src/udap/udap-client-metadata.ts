import { InvalidClientMetadata, InvalidRedirectUri } from '#oauth';

/** Grant types a UDAP client may register (UDAP Security 2.0 §3.1). */
const UDAP_GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials'];

/** Claims of a software statement that are about the statement, not the client (RFC 7519 §4.1), and server-assigned fields. */
const NOT_METADATA = ['iss', 'sub', 'aud', 'exp', 'iat', 'nbf', 'jti', 'client_id', 'client_secret', 'registration_access_token', 'registration_client_uri', 'client_id_issued_at', 'client_secret_expires_at'];

/** What a valid software statement asks: a registration (or a modification) with this metadata, or a cancellation. */
export type UdapRegistrationIntent = { kind: 'cancel' } | { kind: 'register'; metadata: Record<string, unknown> };

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

/**
 * The registration metadata rules of UDAP Security 2.0 §3.1, checked before
 * the RFC 7591 validation every registration goes through: `grant_types`
 * required, from `authorization_code`, `refresh_token`, `client_credentials`,
 * with exactly one of `authorization_code` and `client_credentials`
 * (`refresh_token` only with `authorization_code`); empty cancels an earlier
 * registration (§3.4). `client_name`, `scope` and `contacts` (with a `mailto:`
 * URI) required; `token_endpoint_auth_method` is `private_key_jwt`; with
 * `authorization_code`: https `redirect_uris`, `response_types` `["code"]`, an
 * https `logo_uri` to a PNG, JPG or GIF; without it, neither redirect URIs nor
 * response types. No `jwks` or `jwks_uri`: the client's key is its certificate's.
 *
 * @throws InvalidClientMetadata / InvalidRedirectUri (RFC 7591 §3.2.2)
 */
export function udapRegistrationIntent(claims: Record<string, unknown>): UdapRegistrationIntent {
  const grantTypes = claims.grant_types;
  if (!Array.isArray(grantTypes) || grantTypes.some((g) => typeof g !== 'string')) throw new InvalidClientMetadata('grant_types is required: an array of grant types');
  if (grantTypes.length === 0) return { kind: 'cancel' };
  const unsupported = grantTypes.find((g) => !UDAP_GRANT_TYPES.includes(g as string));
  if (unsupported !== undefined) throw new InvalidClientMetadata(`grant_types: "${String(unsupported).slice(0, 80)}" cannot be registered through UDAP (${UDAP_GRANT_TYPES.join(', ')})`);
  const code = grantTypes.includes('authorization_code');
  if (code === grantTypes.includes('client_credentials')) throw new InvalidClientMetadata('grant_types must include either "authorization_code" or "client_credentials", not both');
  if (grantTypes.includes('refresh_token') && !code) throw new InvalidClientMetadata('grant_types: "refresh_token" only with "authorization_code"');
  if (typeof claims.client_name !== 'string' || claims.client_name.trim() === '') throw new InvalidClientMetadata('client_name is required');
  if (typeof claims.scope !== 'string' || claims.scope.trim() === '') throw new InvalidClientMetadata('scope is required');
  const contacts = claims.contacts;
  if (!Array.isArray(contacts) || !contacts.some((c) => typeof c === 'string' && /^mailto:[^\s@]+@[^\s@]+$/i.test(c))) {
    throw new InvalidClientMetadata('contacts is required and must hold a mailto: URI');
  }
  if (claims.token_endpoint_auth_method !== 'private_key_jwt') throw new InvalidClientMetadata('token_endpoint_auth_method must be "private_key_jwt"');
  if (claims.jwks !== undefined || claims.jwks_uri !== undefined) throw new InvalidClientMetadata("jwks and jwks_uri cannot be registered: a UDAP client's key is its certificate's");
  const { redirect_uris: redirectUris, response_types: responseTypes, logo_uri: logoUri } = claims;
  if (code) {
    if (!Array.isArray(redirectUris) || redirectUris.length === 0) throw new InvalidRedirectUri('redirect_uris is required with the authorization_code grant');
    if (!redirectUris.every(isHttps)) throw new InvalidRedirectUri('every redirect URI must use the https scheme');
    if (responseTypes !== undefined && (!Array.isArray(responseTypes) || responseTypes.length !== 1 || responseTypes[0] !== 'code')) {
      throw new InvalidClientMetadata('response_types must be ["code"] with the authorization_code grant');
    }
    if (!isImageUrl(logoUri)) throw new InvalidClientMetadata('logo_uri is required with the authorization_code grant: an https URL of a PNG, JPG or GIF image');
  } else {
    if (redirectUris !== undefined) throw new InvalidClientMetadata('redirect_uris must be absent without the authorization_code grant');
    if (responseTypes !== undefined) throw new InvalidClientMetadata('response_types must be absent without the authorization_code grant');
  }
  const metadata = Object.fromEntries(Object.entries(claims).filter(([claim]) => !NOT_METADATA.includes(claim)));
  return { kind: 'register', metadata: code && responseTypes === undefined ? { ...metadata, response_types: ['code'] } : metadata };
}
