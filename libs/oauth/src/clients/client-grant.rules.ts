// RFC 7591 §2 and §2.1: the grant types, response types and token endpoint
// authentication method a client registers, and how they fit together.
import type { JsonWebKeySet, TokenEndpointAuthMethod } from '#contracts';
import { InvalidClientMetadata, InvalidRedirectUri } from '../errors/oauth-errors.js';
import {
  JWT_BEARER_GRANT_TYPE,
  SUPPORTED_AUTH_METHODS,
  SUPPORTED_GRANT_TYPES,
  SUPPORTED_RESPONSE_TYPES,
} from './client-metadata.constants.js';
import { dedupe } from './unique-values.js';

/** Grant types refused outright, with the RFC 9700 rule that retires them. */
const FORBIDDEN_GRANT_TYPES: ReadonlyMap<string, string> = new Map([
  ['implicit', 'RFC 9700 §2.1.2: the implicit grant SHOULD NOT be used; use authorization_code with PKCE'],
  ['password', 'RFC 9700 §2.4: the resource owner password credentials grant MUST NOT be used'],
]);

/** Response type values (RFC 6749 §3.1.1) that would return tokens from the authorization endpoint. */
const FORBIDDEN_RESPONSE_TYPE_VALUES: ReadonlySet<string> = new Set(['token', 'id_token']);

export function toAuthMethod(value: string): TokenEndpointAuthMethod {
  const method = SUPPORTED_AUTH_METHODS.find((m) => m === value);
  if (method === undefined) {
    throw new InvalidClientMetadata(`token_endpoint_auth_method must be one of: ${SUPPORTED_AUTH_METHODS.join(', ')}`);
  }
  return method;
}

/** RFC 7591 §2 `grant_types`, with RFC 9700's retired grants refused by name. */
export function checkGrantTypes(values: string[]): string[] {
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
export function checkResponseTypes(values: string[]): string[] {
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
export function checkGrantConsistency(
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

/**
 * RFC 7591 §2: `jwks` and `jwks_uri` belong to `private_key_jwt` and are
 * mutually exclusive. With `keysFromCertificate` (UDAP: the client's key is
 * its certificate's, UDAP Security 2.0 §3.1) neither is registered.
 */
export function checkKeyMaterial(authMethod: TokenEndpointAuthMethod, jwksUri: string | undefined, jwks: JsonWebKeySet | undefined, keysFromCertificate = false): void {
  if (keysFromCertificate && (jwksUri !== undefined || jwks !== undefined)) {
    throw new InvalidClientMetadata(`${jwksUri !== undefined ? 'jwks_uri' : 'jwks'} cannot be registered: a UDAP client's key is its certificate's`);
  }
  if (jwksUri !== undefined && jwks !== undefined) {
    throw new InvalidClientMetadata('jwks_uri and jwks must not both be present (RFC 7591 §2)');
  }
  if (authMethod === 'private_key_jwt') {
    if (jwksUri === undefined && jwks === undefined && !keysFromCertificate) {
      throw new InvalidClientMetadata('token_endpoint_auth_method "private_key_jwt" requires jwks_uri or jwks (RFC 7591 §2)');
    }
  } else if (jwksUri !== undefined || jwks !== undefined) {
    const field = jwksUri !== undefined ? 'jwks_uri' : 'jwks';
    throw new InvalidClientMetadata(`${field} is only allowed with token_endpoint_auth_method "private_key_jwt" (got "${authMethod}")`);
  }
}
