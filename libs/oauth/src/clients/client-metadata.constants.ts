import type { TokenEndpointAuthMethod } from '#contracts';

/** RFC 7523 §2.1: the JWT bearer authorization grant. */
export const JWT_BEARER_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/**
 * Grant types a client may register (RFC 7591 §2 `grant_types`). `implicit` and
 * `password` are deliberately absent: RFC 9700 §2.1.2 and §2.4.
 */
export const SUPPORTED_GRANT_TYPES: readonly string[] = Object.freeze([
  'authorization_code',
  'refresh_token',
  'client_credentials',
  JWT_BEARER_GRANT_TYPE,
]);

/** Token endpoint authentication methods a client may register (RFC 7591 §2, SMART App Launch client types). */
export const SUPPORTED_AUTH_METHODS: readonly TokenEndpointAuthMethod[] = Object.freeze([
  'none',
  'client_secret_basic',
  'client_secret_post',
  'private_key_jwt',
] as const);

/** The only response type we register: the authorization code flow (RFC 9700 §2.1.2). */
export const SUPPORTED_RESPONSE_TYPES: readonly string[] = Object.freeze(['code']);

/** ID token signing algorithms a client may ask for (OIDC Registration §2; RS256 is mandatory, OIDC Core §15.1). */
export const SUPPORTED_ID_TOKEN_SIGNING_ALGS: readonly string[] = Object.freeze(['RS256', 'ES256']);

/**
 * Algorithms a `private_key_jwt` client may sign its assertions with (OIDC
 * Registration §2 `token_endpoint_auth_signing_alg`; SMART requires RS384/ES384).
 */
export const SUPPORTED_TOKEN_ENDPOINT_AUTH_SIGNING_ALGS: readonly string[] = Object.freeze([
  'RS256',
  'RS384',
  'RS512',
  'ES256',
  'ES384',
  'ES512',
]);

/** OIDC Registration §2 `application_type`. */
export const SUPPORTED_APPLICATION_TYPES: readonly ('web' | 'native')[] = Object.freeze(['web', 'native'] as const);

/** Upper bounds that refuse absurd registrations before any per-value work is done. */
export const REGISTRATION_LIMITS = Object.freeze({
  /** Characters in any single URI. */
  uriLength: 2048,
  /** Entries in `redirect_uris` or `post_logout_redirect_uris`. */
  redirectUris: 200,
  /** Characters in `client_name`. */
  clientNameLength: 256,
  /** Entries in `contacts`. */
  contacts: 20,
  /** Characters in one `contacts` entry (the longest valid e-mail address). */
  contactLength: 320,
  /** Entries in `grant_types` or `response_types`. */
  typeEntries: 16,
  /** Characters in one `grant_types` or `response_types` entry. */
  typeLength: 256,
  /** Characters in `scope`. */
  scopeLength: 8192,
  /** Characters in `software_id` and `software_version`. */
  softwareFieldLength: 256,
  /** Keys in an inline `jwks`. */
  jwksKeys: 32,
  /** Characters in a key's `kid`. */
  kidLength: 256,
  /** Characters of the inline `jwks` serialised as JSON. */
  jwksJsonLength: 65_536,
});

/**
 * Pattern for a registrant-requested `client_id`: RFC 3986 unreserved
 * characters only, so it is safe in URLs and HTTP Basic credentials.
 */
export const REQUESTED_CLIENT_ID_PATTERN = /^[A-Za-z0-9._~-]{3,128}$/;

/**
 * Whether a token endpoint auth method uses a shared secret
 * (`client_secret_basic` / `client_secret_post`, RFC 6749 §2.3.1), so that the
 * registration endpoint must issue a `client_secret` (RFC 7591 §3.2.1).
 */
export function isSymmetric(method: TokenEndpointAuthMethod): boolean {
  return method === 'client_secret_basic' || method === 'client_secret_post';
}
