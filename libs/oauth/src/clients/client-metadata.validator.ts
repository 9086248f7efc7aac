import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import type {
  ClientMetadata,
  JsonWebKeySet,
  TokenEndpointAuthMethod,
} from '#contracts';
import { InvalidClientMetadata, InvalidRedirectUri } from '../errors/oauth-errors.js';
import type { OAuthError } from '../errors/oauth-error.js';
import { forbiddenCharactersIn } from '../input/text-characters.js';
import {
  JWT_BEARER_GRANT_TYPE,
  REGISTRATION_LIMITS,
  SUPPORTED_AUTH_METHODS,
  SUPPORTED_GRANT_TYPES,
  SUPPORTED_RESPONSE_TYPES,
} from './client-metadata.constants.js';
import { CLIENT_REGISTRATION_FIELDS, ClientRegistrationDto } from './client-registration.dto.js';

/** What the registration service decides, per deployment, about what clients may register. */
export interface RegistrationPolicy {
  /**
   * Validates a space-delimited scope string; throws on unknown or malformed
   * scopes. The caller passes a `ScopeSet.parse` wrapper.
   */
  validateScope: (scope: string) => void;
  /** Scope given to clients that register without one (RFC 7591 §2 `scope`). */
  defaultScope: string;
  // Loopback `http` redirect URIs are always allowed for native apps (RFC 8252 §7.3), so there is no switch for them.
}

/** The outcome of {@link validateClientMetadata}. */
export interface ValidatedClientRegistration {
  /** Normalised metadata with defaults applied; only known fields, no `undefined` values. */
  metadata: ClientMetadata;
  /** A `client_id` the registrant asked for; the registration service honours it when it is free. */
  requestedClientId?: string;
}

/** Grant types refused outright, with the RFC 9700 rule that retires them. */
const FORBIDDEN_GRANT_TYPES: ReadonlyMap<string, string> = new Map([
  ['implicit', 'RFC 9700 §2.1.2: the implicit grant SHOULD NOT be used; use authorization_code with PKCE'],
  ['password', 'RFC 9700 §2.4: the resource owner password credentials grant MUST NOT be used'],
]);

/** Response type values (RFC 6749 §3.1.1) that would return tokens from the authorization endpoint. */
const FORBIDDEN_RESPONSE_TYPE_VALUES: ReadonlySet<string> = new Set(['token', 'id_token']);

/** JWK members that only private or symmetric keys carry (RFC 7518 §6.2.2, §6.3.2, §6.4.1; RFC 8037 §2). */
const PRIVATE_JWK_MEMBERS: readonly string[] = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

/** Asymmetric key types usable for `private_key_jwt` (RFC 7518 §6.1, RFC 8037 §2). */
const ASYMMETRIC_KEY_TYPES: readonly string[] = ['RSA', 'EC', 'OKP'];

/** RFC 8252 §7.3 loopback redirect: `http://127.0.0.1`, `http://[::1]` or `http://localhost`, any port. */
const LOOPBACK_HTTP_URI = /^http:\/\/(?:127\.0\.0\.1|\[::1\]|localhost)(?::\d{1,5})?(?:[/?]|$)/i;

/** RFC 3986 §3.1 scheme. */
const URI_SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;

/** Anything outside printable ASCII, plus the backslash that WHATWG URL parsing treats as `/`. */
const UNSAFE_URI_CHARACTER = /[^\x21-\x7e]|\\/;

/** Precedence of class-validator constraints when one property breaks several: the type error first. */
const CONSTRAINT_PRECEDENCE = ['isArray', 'isObject', 'isString', 'arrayMaxSize', 'minLength', 'maxLength', 'isIn', 'matches'];

/**
 * Validate and normalise RFC 7591 client metadata for a SMART on FHIR client.
 *
 * Unknown (extension) metadata is ignored and dropped (RFC 7591 §2), as are
 * the server-controlled fields `client_secret`, `registration_access_token`,
 * `registration_client_uri`, `client_id_issued_at` and
 * `client_secret_expires_at` (RFC 7591 §3.2.1, RFC 7592 §2.2). A JSON `null`
 * counts as an omitted field. Known fields of the wrong type, and values that
 * break the rules below, are refused.
 *
 * @throws InvalidRedirectUri (400 `invalid_redirect_uri`, RFC 7591 §3.2.2) for a bad or missing `redirect_uris` entry.
 * @throws InvalidClientMetadata (400 `invalid_client_metadata`, RFC 7591 §3.2.2) for anything else;
 *   the `error_description` names the offending field.
 */
export function validateClientMetadata(input: unknown, policy: RegistrationPolicy): ValidatedClientRegistration {
  // Issue #14: no metadata value carries a control character or an unpaired surrogate (PostgreSQL refuses U+0000
  // and, in jsonb, unpaired surrogates). The gateway refuses them in bodies already; CLIENTS_FILE comes here only.
  const unprintable = forbiddenCharactersIn(input);
  if (unprintable !== undefined) throw new InvalidClientMetadata(`${unprintable.replace(/^\$\.?/, '') || 'the metadata'} contains a control character or an unpaired surrogate`);
  const dto = toValidatedDto(input);

  // RFC 7591 §2: grant_types defaults to authorization_code.
  const grantTypes = checkGrantTypes(dto.grant_types ?? ['authorization_code']);
  // RFC 7591 §2: response_types defaults to code. A client without the
  // authorization_code grant never uses the authorization endpoint, so we
  // substitute no response types for it (RFC 7591 §3.2.1 allows substitution).
  const responseTypes = checkResponseTypes(
    dto.response_types ?? (grantTypes.includes('authorization_code') ? ['code'] : []),
  );
  // RFC 7591 §2: token_endpoint_auth_method defaults to client_secret_basic.
  const authMethod = toAuthMethod(dto.token_endpoint_auth_method ?? 'client_secret_basic');

  const redirectUris = dedupe(dto.redirect_uris ?? []);
  redirectUris.forEach((uri, i) => checkRedirectUri('redirect_uris', i, uri));
  const postLogoutRedirectUris = dto.post_logout_redirect_uris && dedupe(dto.post_logout_redirect_uris);
  postLogoutRedirectUris?.forEach((uri, i) => checkRedirectUri('post_logout_redirect_uris', i, uri));

  for (const field of ['client_uri', 'logo_uri', 'tos_uri', 'policy_uri'] as const) {
    const value = dto[field];
    if (value !== undefined) checkWebUri(field, value);
  }
  if (dto.jwks_uri !== undefined) checkJwksUri(dto.jwks_uri);
  if (dto.launch_uri !== undefined) checkLaunchUri(dto.launch_uri);
  const jwks = dto.jwks && checkJwks(dto.jwks);

  checkGrantConsistency(grantTypes, responseTypes, redirectUris, authMethod);
  checkKeyMaterial(authMethod, dto.jwks_uri, jwks);

  const metadata: ClientMetadata = {
    redirect_uris: redirectUris,
    token_endpoint_auth_method: authMethod,
    grant_types: grantTypes,
    response_types: responseTypes,
    scope: dto.scope === undefined ? policy.defaultScope : checkScope(dto.scope, policy),
    application_type: dto.application_type === 'native' ? 'native' : 'web', // OIDC Registration §2: default web
  };
  assignDefined(metadata, {
    client_name: dto.client_name,
    client_uri: dto.client_uri,
    logo_uri: dto.logo_uri,
    contacts: dto.contacts && dedupe(dto.contacts),
    tos_uri: dto.tos_uri,
    policy_uri: dto.policy_uri,
    jwks_uri: dto.jwks_uri,
    jwks,
    software_id: dto.software_id,
    software_version: dto.software_version,
    post_logout_redirect_uris: postLogoutRedirectUris,
    id_token_signed_response_alg: dto.id_token_signed_response_alg,
    token_endpoint_auth_signing_alg: dto.token_endpoint_auth_signing_alg,
    launch_uri: dto.launch_uri,
  });

  return dto.client_id === undefined ? { metadata } : { metadata, requestedClientId: dto.client_id };
}

/**
 * Copy the known fields of a JSON object into a {@link ClientRegistrationDto}
 * and check their types and sizes. Unknown keys are never copied, so they
 * cannot reach class-transformer (RFC 7591 §2: ignore what we don't understand).
 */
function toValidatedDto(input: unknown): ClientRegistrationDto {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new InvalidClientMetadata('client metadata must be a JSON object (RFC 7591 §3.1)');
  }
  const known: Record<string, unknown> = {};
  for (const field of CLIENT_REGISTRATION_FIELDS) {
    if (!Object.hasOwn(input, field)) continue;
    const value: unknown = (input as Record<string, unknown>)[field];
    if (value !== null && value !== undefined) known[field] = value;
  }
  const dto = plainToInstance(ClientRegistrationDto, known);
  const errors = validateSync(dto, {
    whitelist: true,
    forbidNonWhitelisted: false,
    validationError: { target: false, value: false },
  });
  if (errors.length > 0) throw toOAuthError(errors[0]);
  return dto;
}

/** Turn the first class-validator failure into the RFC 7591 §3.2.2 error for that field. */
function toOAuthError(error: ValidationError): OAuthError {
  const constraints = error.constraints ?? {};
  const key = CONSTRAINT_PRECEDENCE.find((name) => name in constraints) ?? Object.keys(constraints)[0];
  const description = (key && constraints[key]) || `${error.property} is invalid`;
  return error.property === 'redirect_uris' ? new InvalidRedirectUri(description) : new InvalidClientMetadata(description);
}

function toAuthMethod(value: string): TokenEndpointAuthMethod {
  const method = SUPPORTED_AUTH_METHODS.find((m) => m === value);
  if (method === undefined) {
    throw new InvalidClientMetadata(`token_endpoint_auth_method must be one of: ${SUPPORTED_AUTH_METHODS.join(', ')}`);
  }
  return method;
}

/** RFC 7591 §2 `grant_types`, with RFC 9700's retired grants refused by name. */
function checkGrantTypes(values: string[]): string[] {
  if (values.length === 0) throw new InvalidClientMetadata('grant_types must not be empty');
  for (const value of values) {
    const reason = FORBIDDEN_GRANT_TYPES.get(value);
    if (reason !== undefined) throw new InvalidClientMetadata(`grant_types: "${value}" is not allowed (${reason})`);
    if (!SUPPORTED_GRANT_TYPES.includes(value)) {
      throw new InvalidClientMetadata(
        `grant_types: unsupported grant type "${value}"; supported: ${SUPPORTED_GRANT_TYPES.join(', ')}`,
      );
    }
  }
  return dedupe(values);
}

/** RFC 7591 §2 `response_types`: only `code` (RFC 9700 §2.1.2 retires token-returning responses). */
function checkResponseTypes(values: string[]): string[] {
  for (const value of values) {
    // RFC 6749 §3.1.1: a response type is a space-delimited list of values.
    const forbidden = value.split(' ').find((part) => FORBIDDEN_RESPONSE_TYPE_VALUES.has(part));
    if (forbidden !== undefined) {
      throw new InvalidClientMetadata(
        `response_types: "${value}" is not allowed; only "code" is supported (RFC 9700 §2.1.2: ` +
          `the authorization endpoint must not return "${forbidden}")`,
      );
    }
    if (!SUPPORTED_RESPONSE_TYPES.includes(value)) {
      throw new InvalidClientMetadata(`response_types: unsupported response type "${value}"; only "code" is supported`);
    }
  }
  return dedupe(values);
}

/** RFC 7591 §2.1: grant types, response types, redirect URIs and auth method must fit together. */
function checkGrantConsistency(
  grantTypes: string[],
  responseTypes: string[],
  redirectUris: string[],
  authMethod: TokenEndpointAuthMethod,
): void {
  const hasCodeGrant = grantTypes.includes('authorization_code');
  const hasCodeResponse = responseTypes.includes('code');
  if (hasCodeGrant && !hasCodeResponse) {
    throw new InvalidClientMetadata('response_types must contain "code" when grant_types contains "authorization_code" (RFC 7591 §2.1)');
  }
  if (hasCodeResponse && !hasCodeGrant) {
    throw new InvalidClientMetadata('grant_types must contain "authorization_code" when response_types contains "code" (RFC 7591 §2.1)');
  }
  if (hasCodeGrant && redirectUris.length === 0) {
    // RFC 9700 §2.1 / RFC 6749 §3.1.2.2: redirect URIs must be registered for the code flow.
    throw new InvalidRedirectUri('redirect_uris must contain at least one URI for the authorization_code grant (RFC 9700 §2.1)');
  }
  if (grantTypes.includes('refresh_token') && !hasCodeGrant && !grantTypes.includes(JWT_BEARER_GRANT_TYPE)) {
    // RFC 6749 §4.4.3: client_credentials SHOULD NOT get refresh tokens; only code and JWT bearer grants issue them here.
    throw new InvalidClientMetadata(
      `grant_types: "refresh_token" requires "authorization_code" or "${JWT_BEARER_GRANT_TYPE}"`,
    );
  }
  if (grantTypes.includes('client_credentials') && authMethod === 'none') {
    // RFC 6749 §4.4: the client credentials grant is for confidential clients only.
    throw new InvalidClientMetadata(
      'grant_types: "client_credentials" requires client authentication; token_endpoint_auth_method "none" is not allowed (RFC 6749 §4.4)',
    );
  }
}

/** RFC 7591 §2: `jwks` and `jwks_uri` belong to `private_key_jwt` and are mutually exclusive. */
function checkKeyMaterial(authMethod: TokenEndpointAuthMethod, jwksUri: string | undefined, jwks: JsonWebKeySet | undefined): void {
  if (jwksUri !== undefined && jwks !== undefined) {
    throw new InvalidClientMetadata('jwks_uri and jwks must not both be present (RFC 7591 §2)');
  }
  if (authMethod === 'private_key_jwt') {
    if (jwksUri === undefined && jwks === undefined) {
      throw new InvalidClientMetadata('token_endpoint_auth_method "private_key_jwt" requires jwks_uri or jwks (RFC 7591 §2)');
    }
  } else if (jwksUri !== undefined || jwks !== undefined) {
    const field = jwksUri !== undefined ? 'jwks_uri' : 'jwks';
    throw new InvalidClientMetadata(`${field} is only allowed with token_endpoint_auth_method "private_key_jwt" (got "${authMethod}")`);
  }
}

/**
 * A redirect URI (RFC 6749 §3.1.2), registered for exact matching (RFC 9700 §2.1):
 * absolute, no fragment, no wildcard, `https` except RFC 8252 native-app
 * loopback (§7.3) and private-use schemes (§7.1).
 *
 * Problems in `redirect_uris` are `invalid_redirect_uri`; the same rules applied
 * to `post_logout_redirect_uris` give `invalid_client_metadata` (RFC 7591 §3.2.2
 * reserves `invalid_redirect_uri` for the former).
 */
function checkRedirectUri(field: 'redirect_uris' | 'post_logout_redirect_uris', index: number, uri: string): void {
  const fail = (reason: string): OAuthError => {
    const description = `${field}[${index}] ${reason}`;
    return field === 'redirect_uris' ? new InvalidRedirectUri(description) : new InvalidClientMetadata(description);
  };
  if (uri.length === 0) throw fail('must not be empty');
  if (UNSAFE_URI_CHARACTER.test(uri)) throw fail('must contain only printable ASCII characters and no backslash (RFC 3986 §2)');
  if (uri.includes('*')) throw fail('must not contain wildcards: redirect URIs are matched exactly (RFC 9700 §2.1)');
  if (uri.includes('#')) throw fail('must not contain a fragment (RFC 6749 §3.1.2)');
  const scheme = URI_SCHEME.exec(uri)?.[1]?.toLowerCase();
  const url = parseUrl(uri);
  if (scheme === undefined || url === undefined) throw fail('must be an absolute URI (RFC 6749 §3.1.2)');

  if (scheme === 'https') {
    if (!/^https:\/\/[^/?]/i.test(uri) || url.hostname === '') throw fail('must be an absolute https URI with a host');
    if (url.username !== '' || url.password !== '') throw fail('must not contain user information');
    return;
  }
  if (scheme === 'http') {
    if (LOOPBACK_HTTP_URI.test(uri)) return; // RFC 8252 §7.3 (any port is matched at authorization time)
    throw fail(
      'must use https; http is allowed only for loopback URIs (127.0.0.1, [::1], localhost) of native apps ' +
        '(RFC 9700 §2.6, RFC 8252 §7.3)',
    );
  }
  if (scheme.includes('.')) return; // RFC 8252 §7.1 private-use (reverse domain name) scheme
  throw fail(
    `uses the scheme "${scheme}"; only https, loopback http and private-use schemes such as ` +
      'com.example.app: are allowed (RFC 8252 §7.1)',
  );
}

/** An informational URI (RFC 7591 §2 `client_uri`, `logo_uri`, `tos_uri`, `policy_uri`): absolute http(s). */
function checkWebUri(field: string, uri: string): void {
  const url = parseUrl(uri);
  if (UNSAFE_URI_CHARACTER.test(uri) || url === undefined || !/^https?:\/\/[^/?#]/i.test(uri) || url.hostname === '') {
    throw new InvalidClientMetadata(`${field} must be an absolute http or https URI (RFC 7591 §2)`);
  }
}

/** RFC 7591 §2 `jwks_uri`: absolute https; http only for loopback hosts (local testing). */
function checkJwksUri(uri: string): void {
  const url = parseUrl(uri);
  if (UNSAFE_URI_CHARACTER.test(uri) || url === undefined || !/^https?:\/\/[^/?#]/i.test(uri) || url.hostname === '') {
    throw new InvalidClientMetadata('jwks_uri must be an absolute https URI (RFC 7591 §2)');
  }
  if (url.protocol === 'http:' && !LOOPBACK_HTTP_URI.test(uri)) {
    throw new InvalidClientMetadata('jwks_uri must use https (RFC 7591 §2); http is allowed only for loopback hosts');
  }
}

/**
 * SMART App Launch 2.2 §"EHR Launch" `launch_uri`: the URL the EHR opens with
 * `iss` and `launch` appended, so it follows the redirect URI rules for web
 * apps (RFC 6749 §3.1.2): absolute, no fragment (the query is extended), no
 * user information, https; http only on a loopback host (RFC 8252 §7.3, local testing).
 */
function checkLaunchUri(uri: string): void {
  const fail = (reason: string) => new InvalidClientMetadata(`launch_uri ${reason}`);
  const url = parseUrl(uri);
  if (UNSAFE_URI_CHARACTER.test(uri) || url === undefined || !/^https?:\/\/[^/?#]/i.test(uri) || url.hostname === '') {
    throw fail('must be an absolute https URI (SMART App Launch 2.2 §"EHR Launch")');
  }
  if (uri.includes('#')) throw fail('must not contain a fragment: the EHR appends iss and launch to its query (RFC 6749 §3.1.2)');
  if (url.username !== '' || url.password !== '') throw fail('must not contain user information');
  if (url.protocol === 'http:' && !LOOPBACK_HTTP_URI.test(uri)) {
    throw fail('must use https; http is allowed only for loopback hosts (127.0.0.1, [::1], localhost)');
  }
}

/**
 * RFC 7591 §2 `jwks`: a JWK Set (RFC 7517 §5) of public, asymmetric keys with
 * unique `kid`s, each of which must import as a public key. Returns the set
 * reduced to its `keys` member.
 */
function checkJwks(jwks: Record<string, unknown>): JsonWebKeySet {
  const keys = jwks['keys'];
  if (!Array.isArray(keys)) throw new InvalidClientMetadata('jwks must be a JWK Set with a "keys" array (RFC 7517 §5)');
  if (keys.length === 0) throw new InvalidClientMetadata('jwks.keys must contain at least one key');
  if (keys.length > REGISTRATION_LIMITS.jwksKeys) {
    throw new InvalidClientMetadata(`jwks.keys must have at most ${REGISTRATION_LIMITS.jwksKeys} entries`);
  }
  if (JSON.stringify(jwks).length > REGISTRATION_LIMITS.jwksJsonLength) {
    throw new InvalidClientMetadata(`jwks must be at most ${REGISTRATION_LIMITS.jwksJsonLength} characters of JSON`);
  }
  const kids = new Set<string>();
  const checked = keys.map((key: unknown, i): Record<string, unknown> => {
    const where = `jwks.keys[${i}]`;
    if (typeof key !== 'object' || key === null || Array.isArray(key)) throw new InvalidClientMetadata(`${where} must be a JSON object (a JWK, RFC 7517 §4)`);
    const jwk = Object.fromEntries(Object.entries(key));
    const { kty, kid } = jwk;
    if (typeof kty !== 'string' || kty === '') throw new InvalidClientMetadata(`${where} must have a "kty" (RFC 7517 §4.1)`);
    if (kty === 'oct') throw new InvalidClientMetadata(`${where} is a symmetric ("oct") key; private_key_jwt needs a public key`);
    if (!ASYMMETRIC_KEY_TYPES.includes(kty)) throw new InvalidClientMetadata(`${where} has an unsupported kty "${kty}"; use RSA, EC or OKP`);
    if (typeof kid !== 'string' || kid === '') throw new InvalidClientMetadata(`${where} must have a "kid" (SMART App Launch: kid is required)`);
    if (kid.length > REGISTRATION_LIMITS.kidLength) throw new InvalidClientMetadata(`${where} "kid" must be at most ${REGISTRATION_LIMITS.kidLength} characters`);
    if (kids.has(kid)) throw new InvalidClientMetadata(`${where} repeats the kid "${kid}"; kids must be unique`);
    kids.add(kid);
    const privateMember = PRIVATE_JWK_MEMBERS.find((member) => Object.hasOwn(jwk, member));
    if (privateMember !== undefined) throw new InvalidClientMetadata(`${where} contains the private key member "${privateMember}"; register public keys only`);
    try {
      createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
    } catch {
      throw new InvalidClientMetadata(`${where} (kid "${kid}") is not a valid ${kty} public key`);
    }
    return jwk;
  });
  return { keys: checked };
}

/** RFC 7591 §2 `scope`, checked by the policy and normalised to single spaces (RFC 6749 §3.3). */
function checkScope(scope: string, policy: RegistrationPolicy): string {
  const normalised = dedupe(scope.trim().split(/\s+/).filter((token) => token !== '')).join(' ');
  if (normalised === '') throw new InvalidClientMetadata('scope must not be empty; omit it to get the default scope');
  try {
    policy.validateScope(normalised);
  } catch (error: unknown) {
    throw new InvalidClientMetadata(`unknown or malformed scope: ${describe(error)}`);
  }
  return normalised;
}

function describe(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const description = (error as { description?: unknown }).description;
    if (typeof description === 'string' && description !== '') return description; // an OAuthError such as InvalidScope
    if (error instanceof Error) return error.message;
  }
  return String(error);
}

function parseUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

/** Order-preserving removal of repeated values. */
function dedupe(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/** Copy only the defined values, so the metadata never carries `undefined` keys. */
function assignDefined<T extends object>(target: T, values: Partial<T>): void {
  for (const [key, value] of Object.entries(values)) {
    if (value !== undefined) Object.assign(target, { [key]: value });
  }
}
