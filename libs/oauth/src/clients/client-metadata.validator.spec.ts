import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { policy, ecP384, rsa, PUBLIC, SYMMETRIC, ASYMMETRIC, BULK, MACHINE_SECRET } from './client-metadata.fixtures.js';
import { SUPPORTED_GRANT_TYPES, validateClientMetadata } from './index.js';

/** What the public app of the fixtures is registered as (RFC 7591 §3.2.1: defaults filled in). */
const PUBLIC_REGISTERED: Record<string, unknown> = {
  redirect_uris: ['https://app.example.com/callback'],
  token_endpoint_auth_method: 'none',
  grant_types: ['authorization_code'],
  response_types: ['code'],
  scope: 'launch/patient openid fhirUser patient/*.read',
  application_type: 'web',
  client_name: 'Public App',
};

describe('validateClientMetadata: accepted registrations', () => {
  const cases: Array<{ name: string; input: Record<string, unknown>; expect: Record<string, unknown> }> = [
    {
      name: 'public app (auth method none)',
      input: PUBLIC,
      expect: PUBLIC_REGISTERED,
    },
    {
      name: 'confidential symmetric app with refresh tokens',
      input: SYMMETRIC,
      expect: {
        redirect_uris: ['https://app.example.com/callback'],
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        scope: 'launch/patient openid fhirUser offline_access patient/*.read',
        application_type: 'web',
        client_name: 'Confidential App',
      },
    },
    {
      name: 'asymmetric app with jwks_uri',
      input: ASYMMETRIC,
      expect: {
        redirect_uris: ['https://app.example.com/callback'],
        token_endpoint_auth_method: 'private_key_jwt',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        scope: 'launch/patient openid fhirUser offline_access patient/*.read',
        application_type: 'web',
        client_name: 'Asymmetric App',
        jwks_uri: 'https://app.example.com/jwks.json',
      },
    },
    {
      name: 'asymmetric app with an inline EC P-384 jwks',
      input: { ...ASYMMETRIC, jwks_uri: undefined, jwks: { keys: [ecP384] } },
      expect: {
        redirect_uris: ['https://app.example.com/callback'],
        token_endpoint_auth_method: 'private_key_jwt',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        scope: 'launch/patient openid fhirUser offline_access patient/*.read',
        application_type: 'web',
        client_name: 'Asymmetric App',
        jwks: { keys: [ecP384] },
      },
    },
    {
      name: 'bulk data client: private_key_jwt + client_credentials, no redirect URIs',
      input: BULK,
      expect: {
        redirect_uris: [],
        token_endpoint_auth_method: 'private_key_jwt',
        grant_types: ['client_credentials'],
        response_types: [],
        scope: 'system/*.rs',
        application_type: 'web',
        client_name: 'Bulk Client',
        jwks: { keys: [ecP384] },
      },
    },
    {
      name: 'machine client: client_secret_basic + client_credentials',
      input: MACHINE_SECRET,
      expect: {
        redirect_uris: [],
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['client_credentials'],
        response_types: [],
        scope: 'system/*.rs',
        application_type: 'web',
        client_name: 'Machine Client',
      },
    },
    {
      name: 'minimal registration gets the RFC 7591 §2 defaults and the policy scope',
      input: { redirect_uris: ['https://app.example.com/cb'] },
      expect: {
        redirect_uris: ['https://app.example.com/cb'],
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['authorization_code'],
        response_types: ['code'],
        scope: policy.defaultScope,
        application_type: 'web',
      },
    },
    {
      name: 'native app with loopback and private-use redirect URIs',
      input: {
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        redirect_uris: [
          'http://127.0.0.1/cb',
          'http://127.0.0.1:51004/oauth2redirect',
          'http://[::1]:61023/cb',
          'http://localhost:8080/cb?x=1',
          'com.example.app:/callback',
        ],
      },
      expect: {
        redirect_uris: [
          'http://127.0.0.1/cb',
          'http://127.0.0.1:51004/oauth2redirect',
          'http://[::1]:61023/cb',
          'http://localhost:8080/cb?x=1',
          'com.example.app:/callback',
        ],
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code'],
        response_types: ['code'],
        scope: policy.defaultScope,
        application_type: 'native',
      },
    },
    {
      name: 'every optional field, normalised (duplicates, scope whitespace)',
      input: {
        ...ASYMMETRIC,
        jwks_uri: 'http://localhost:4000/jwks.json',
        redirect_uris: ['https://app.example.com/cb', 'https://app.example.com/cb'],
        grant_types: ['authorization_code', 'refresh_token', 'authorization_code'],
        scope: '  openid   fhirUser  launch/patient openid ',
        client_uri: 'https://app.example.com',
        logo_uri: 'https://app.example.com/logo.png',
        tos_uri: 'http://app.example.com/tos',
        policy_uri: 'https://app.example.com/privacy#top',
        contacts: ['ops@app.example.com', 'ops@app.example.com'],
        software_id: '4NRB1-0XZABZI9E6-5SM3R',
        software_version: '2.1',
        post_logout_redirect_uris: ['https://app.example.com/bye'],
        id_token_signed_response_alg: 'RS256',
        token_endpoint_auth_signing_alg: 'ES384',
        application_type: 'web',
        launch_uri: 'https://app.example.com/launch?tenant=1',
      },
      expect: {
        redirect_uris: ['https://app.example.com/cb'],
        token_endpoint_auth_method: 'private_key_jwt',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        scope: 'openid fhirUser launch/patient',
        application_type: 'web',
        client_name: 'Asymmetric App',
        client_uri: 'https://app.example.com',
        logo_uri: 'https://app.example.com/logo.png',
        contacts: ['ops@app.example.com'],
        tos_uri: 'http://app.example.com/tos',
        policy_uri: 'https://app.example.com/privacy#top',
        jwks_uri: 'http://localhost:4000/jwks.json',
        software_id: '4NRB1-0XZABZI9E6-5SM3R',
        software_version: '2.1',
        post_logout_redirect_uris: ['https://app.example.com/bye'],
        id_token_signed_response_alg: 'RS256',
        token_endpoint_auth_signing_alg: 'ES384',
        launch_uri: 'https://app.example.com/launch?tenant=1',
      },
    },
    {
      name: 'launch_uri on a loopback host over http (local testing)',
      input: { ...PUBLIC, launch_uri: 'http://127.0.0.1:8080/launch' },
      expect: {
        ...PUBLIC_REGISTERED,
        launch_uri: 'http://127.0.0.1:8080/launch',
      },
    },
    {
      name: 'require_pushed_authorization_requests, kept as registered (RFC 9126 §6)',
      input: { ...PUBLIC, require_pushed_authorization_requests: true },
      expect: {
        ...PUBLIC_REGISTERED,
        require_pushed_authorization_requests: true,
      },
    },
    {
      name: 'dpop_bound_access_tokens, kept as registered (RFC 9449 §5.2)',
      input: { ...PUBLIC, dpop_bound_access_tokens: true },
      expect: {
        ...PUBLIC_REGISTERED,
        dpop_bound_access_tokens: true,
      },
    },
    {
      name: 'jwt-bearer grant with refresh_token',
      input: { ...BULK, grant_types: [SUPPORTED_GRANT_TYPES[3], 'refresh_token'], jwks: { keys: [rsa, ecP384] } },
      expect: {
        redirect_uris: [],
        token_endpoint_auth_method: 'private_key_jwt',
        grant_types: ['urn:ietf:params:oauth:grant-type:jwt-bearer', 'refresh_token'],
        response_types: [],
        scope: 'system/*.rs',
        application_type: 'web',
        client_name: 'Bulk Client',
        jwks: { keys: [rsa, ecP384] },
      },
    },
    {
      name: 'extension, server-controlled and null fields are dropped',
      input: {
        ...PUBLIC,
        'client_name#ja-Jpan-JP': 'アプリ',
        software_statement_extra: { nested: true },
        client_secret: 'chosen-by-client',
        registration_access_token: 'rat',
        registration_client_uri: 'https://evil.example/reg',
        client_id_issued_at: 1,
        client_secret_expires_at: 0,
        logo_uri: null,
        contacts: null,
      },
      expect: PUBLIC_REGISTERED,
    },
  ];

  for (const { name, input, expect } of cases) {
    it(name, () => {
      const result = validateClientMetadata(JSON.parse(JSON.stringify(input)), policy);
      assert.deepEqual(result.metadata, expect);
      assert.equal(result.requestedClientId, undefined);
      assert.ok(!('requestedClientId' in result), 'no undefined requestedClientId key');
      for (const [key, value] of Object.entries(result.metadata)) {
        assert.notEqual(value, undefined, `metadata.${key} is undefined`);
      }
    });
  }

  it('returns a requested client_id', () => {
    const result = validateClientMetadata({ ...PUBLIC, client_id: 'my-app_1.0~beta' }, policy);
    assert.equal(result.requestedClientId, 'my-app_1.0~beta');
    assert.ok(!('client_id' in result.metadata));
  });

  it('does not mutate its input', () => {
    const input = JSON.parse(JSON.stringify({ ...SYMMETRIC, grant_types: ['authorization_code', 'authorization_code'] }));
    const copy = structuredClone(input);
    validateClientMetadata(input, policy);
    assert.deepEqual(input, copy);
  });

  it('passes the normalised scope to the policy', () => {
    const seen: string[] = [];
    validateClientMetadata({ ...PUBLIC, scope: ' openid  fhirUser ' }, { ...policy, validateScope: (s) => void seen.push(s) });
    assert.deepEqual(seen, ['openid fhirUser']);
  });

  it('does not call the policy for an omitted scope', () => {
    let calls = 0;
    const result = validateClientMetadata({ redirect_uris: ['https://a.example/cb'] }, { ...policy, validateScope: () => void calls++ });
    assert.equal(calls, 0);
    assert.equal(result.metadata.scope, policy.defaultScope);
  });
});
