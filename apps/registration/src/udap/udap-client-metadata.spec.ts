import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateRegistration } from '../clients/registration-policy.js';
import { udapRegistrationIntent } from './udap-client-metadata.js';

const jwt = { iss: 'https://app.example', sub: 'https://app.example', aud: 'https://auth.example/register', iat: 1, exp: 2, jti: 'j' };
const backend = { ...jwt, client_name: 'Payer app', contacts: ['mailto:ops@app.example'], grant_types: ['client_credentials'], token_endpoint_auth_method: 'private_key_jwt', scope: 'system/*.rs' };
const userApp = {
  ...jwt,
  client_name: 'User app',
  contacts: ['mailto:ops@app.example', 'https://app.example/contact'],
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  redirect_uris: ['https://app.example/callback'],
  logo_uri: 'https://app.example/logo.png',
  token_endpoint_auth_method: 'private_key_jwt',
  scope: 'openid fhirUser patient/*.rs',
};

describe('UDAP registration metadata (UDAP Security 2.0 §3.1)', () => {
  it('registers a client_credentials client without keys or redirect URIs, the JWT claims dropped', () => {
    const intent = udapRegistrationIntent(backend);
    assert.equal(intent.kind, 'register');
    const metadata = intent.kind === 'register' ? intent.metadata : {};
    assert.equal(metadata.iss, undefined);
    const { metadata: registered } = validateRegistration(metadata, { keysFromCertificate: true });
    assert.equal(registered.token_endpoint_auth_method, 'private_key_jwt');
    assert.equal(registered.jwks, undefined);
    assert.deepEqual(registered.grant_types, ['client_credentials']);
  });

  it('registers an authorization_code client, response_types defaulting to ["code"]', () => {
    const { response_types: _omitted, ...withoutResponseTypes } = userApp;
    const intent = udapRegistrationIntent(withoutResponseTypes);
    assert.deepEqual(intent.kind === 'register' ? intent.metadata.response_types : undefined, ['code']);
    assert.equal(udapRegistrationIntent(userApp).kind, 'register');
  });

  it('reads an empty grant_types as a cancellation', () => {
    assert.deepEqual(udapRegistrationIntent({ ...jwt, grant_types: [] }), { kind: 'cancel' });
  });

  const refused: Array<[string, Record<string, unknown>, string, RegExp]> = [
    ['both authorization_code and client_credentials', { ...userApp, grant_types: ['authorization_code', 'client_credentials'] }, 'invalid_client_metadata', /not both/],
    ['refresh_token without authorization_code', { ...backend, grant_types: ['client_credentials', 'refresh_token'] }, 'invalid_client_metadata', /only with "authorization_code"/],
    ['a grant type UDAP does not register', { ...backend, grant_types: ['urn:ietf:params:oauth:grant-type:jwt-bearer'] }, 'invalid_client_metadata', /cannot be registered through UDAP/],
    ['no grant_types', { ...backend, grant_types: undefined }, 'invalid_client_metadata', /grant_types is required/],
    ['no client_name', { ...backend, client_name: ' ' }, 'invalid_client_metadata', /client_name/],
    ['no scope', { ...backend, scope: undefined }, 'invalid_client_metadata', /scope is required/],
    ['contacts without a mailto: URI', { ...backend, contacts: ['https://app.example'] }, 'invalid_client_metadata', /mailto/],
    ['another authentication method', { ...backend, token_endpoint_auth_method: 'client_secret_basic' }, 'invalid_client_metadata', /private_key_jwt/],
    ['registered keys', { ...backend, jwks: { keys: [] } }, 'invalid_client_metadata', /certificate/],
    ['redirect URIs without authorization_code', { ...backend, redirect_uris: ['https://app.example/cb'] }, 'invalid_client_metadata', /must be absent/],
    ['an http redirect URI', { ...userApp, redirect_uris: ['http://app.example/cb'] }, 'invalid_redirect_uri', /https/],
    ['no redirect URI with authorization_code', { ...userApp, redirect_uris: [] }, 'invalid_redirect_uri', /required/],
    ['response_types other than code', { ...userApp, response_types: ['token'] }, 'invalid_client_metadata', /\["code"\]/],
    ['no logo_uri with authorization_code', { ...userApp, logo_uri: undefined }, 'invalid_client_metadata', /logo_uri/],
    ['a logo that is not an image', { ...userApp, logo_uri: 'https://app.example/logo.svg' }, 'invalid_client_metadata', /PNG, JPG or GIF/],
  ];
  for (const [name, claims, error, message] of refused) {
    it(`refuses ${name} (${error})`, () => {
      assert.throws(() => udapRegistrationIntent(claims), (err: { error?: string; description?: string }) => err.error === error && message.test(err.description ?? ''));
    });
  }
});
