import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import type { ClientMetadata } from '#contracts';
import { InvalidClientMetadata, InvalidRedirectUri } from '../errors/oauth-errors.js';
import type { OAuthError } from '../errors/oauth-error.js';
import { forbiddenCharactersIn } from '../input/text-characters.js';
import { checkGrantConsistency, checkGrantTypes, checkKeyMaterial, checkResponseTypes, toAuthMethod } from './client-grant.rules.js';
import { checkJwks } from './client-jwks.rules.js';
import { CLIENT_REGISTRATION_FIELDS, ClientRegistrationDto } from './client-registration.dto.js';
import { checkJwksUri, checkLaunchUri, checkRedirectUri, checkWebUri } from './client-uri.rules.js';
import { dedupe } from './unique-values.js';

/** What the registration service decides, per deployment, about what clients may register. */
export interface RegistrationPolicy {
  /**
   * Validates a space-delimited scope string; throws on unknown or malformed
   * scopes. The caller passes a `ScopeSet.parse` wrapper.
   */
  validateScope: (scope: string) => void;
  /** Scope given to clients that register without one (RFC 7591 §2 `scope`). */
  defaultScope: string;
  /** UDAP: a `private_key_jwt` client whose key is its certificate's registers no `jwks` nor `jwks_uri`. */
  keysFromCertificate?: boolean;
  // Loopback `http` redirect URIs are always allowed for native apps (RFC 8252 §7.3), so there is no switch for them.
}

/** The outcome of {@link validateClientMetadata}. */
export interface ValidatedClientRegistration {
  /** Normalised metadata with defaults applied; only known fields, no `undefined` values. */
  metadata: ClientMetadata;
  /** A `client_id` the registrant asked for; the registration service honours it when it is free. */
  requestedClientId?: string;
}

/** Precedence of class-validator constraints when one property breaks several: the type error first. */
const CONSTRAINT_PRECEDENCE = ['isArray', 'isObject', 'isString', 'isBoolean', 'arrayMaxSize', 'minLength', 'maxLength', 'isIn', 'matches'];

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
  checkKeyMaterial(authMethod, dto.jwks_uri, jwks, policy.keysFromCertificate === true);

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
    // RFC 9126 §6 (default false): kept and echoed as registered.
    require_pushed_authorization_requests: dto.require_pushed_authorization_requests,
    // RFC 9449 §5.2 (default false): kept and echoed as registered.
    dpop_bound_access_tokens: dto.dpop_bound_access_tokens,
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

/** Copy only the defined values, so the metadata never carries `undefined` keys. */
function assignDefined<T extends object>(target: T, values: Partial<T>): void {
  for (const [key, value] of Object.entries(values)) {
    if (value !== undefined) Object.assign(target, { [key]: value });
  }
}
