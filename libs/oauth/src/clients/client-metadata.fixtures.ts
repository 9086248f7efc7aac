// Shared by the client metadata specs: a registration policy, keys, and one
// registration per kind of client (public, confidential, asymmetric, bulk, machine).
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { OAuthError } from '../errors/oauth-error.js';
import { validateClientMetadata, type RegistrationPolicy } from './client-metadata.validator.js';

const KNOWN_SCOPE =
  /^(launch(\/patient)?|openid|fhirUser|offline_access|online_access|admin|introspect|(patient|user|system)\/[*A-Za-z]+\.[a-z*]+)$/;

export const policy: RegistrationPolicy = {
  validateScope: (scope) => {
    for (const token of scope.split(' ')) {
      if (!KNOWN_SCOPE.test(token)) throw new Error(`unknown scope: ${token}`);
    }
  },
  defaultScope: 'launch/patient openid fhirUser patient/*.rs',
};

export const ecP384 = { ...generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'jwk' }), kid: 'ec-384' };
export const rsa = { ...generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' }), kid: 'rsa-1' };
export const ecPrivate = { ...generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ format: 'jwk' }), kid: 'ec-priv' };

export const PUBLIC = {
  client_name: 'Public App',
  redirect_uris: ['https://app.example.com/callback'],
  token_endpoint_auth_method: 'none',
  grant_types: ['authorization_code'],
  response_types: ['code'],
  scope: 'launch/patient openid fhirUser patient/*.read',
};
export const SYMMETRIC = {
  ...PUBLIC,
  client_name: 'Confidential App',
  token_endpoint_auth_method: 'client_secret_basic',
  grant_types: ['authorization_code', 'refresh_token'],
  scope: 'launch/patient openid fhirUser offline_access patient/*.read',
};
export const ASYMMETRIC = {
  ...SYMMETRIC,
  client_name: 'Asymmetric App',
  token_endpoint_auth_method: 'private_key_jwt',
  jwks_uri: 'https://app.example.com/jwks.json',
};
export const BULK = {
  client_name: 'Bulk Client',
  token_endpoint_auth_method: 'private_key_jwt',
  grant_types: ['client_credentials'],
  jwks: { keys: [ecP384] },
  scope: 'system/*.rs',
};
export const MACHINE_SECRET = {
  client_name: 'Machine Client',
  token_endpoint_auth_method: 'client_secret_basic',
  grant_types: ['client_credentials'],
  scope: 'system/*.rs',
};

/** Run the validator and return the OAuthError it throws. */
export function rejection(input: unknown): OAuthError {
  try {
    validateClientMetadata(input, policy);
  } catch (error: unknown) {
    assert.ok(error instanceof OAuthError, `expected an OAuthError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the registration to be rejected');
}
