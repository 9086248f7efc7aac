import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { OAuthError } from '../errors/oauth-error.js';
import { InvalidScope } from '../errors/oauth-errors.js';
import { policy, ecP384, rsa, ecPrivate, PUBLIC, SYMMETRIC, ASYMMETRIC, BULK, MACHINE_SECRET, rejection } from './client-metadata.fixtures.js';
import { isSymmetric, SUPPORTED_AUTH_METHODS, SUPPORTED_GRANT_TYPES, validateClientMetadata } from './index.js';

describe('validateClientMetadata: rejected registrations', () => {
  type Case = { name: string; input: unknown; error: 'invalid_client_metadata' | 'invalid_redirect_uri'; field: string; mentions?: string };
  const uri = (redirect: unknown): Record<string, unknown> => ({ ...PUBLIC, redirect_uris: [redirect] });
  const cases: Case[] = [
    // the document itself
    { name: 'an array body', input: [PUBLIC], error: 'invalid_client_metadata', field: 'JSON object' },
    { name: 'a null body', input: null, error: 'invalid_client_metadata', field: 'JSON object' },
    { name: 'a string body', input: 'client', error: 'invalid_client_metadata', field: 'JSON object' },

    // control characters and unpaired surrogates (issue #14: CLIENTS_FILE reaches the validator without the gateway)
    { name: 'a NUL in client_name', input: { ...PUBLIC, client_name: 'a\u0000b' }, error: 'invalid_client_metadata', field: 'client_name' },
    { name: 'a line feed in a redirect URI', input: uri('https://app.example.com/cb\n'), error: 'invalid_client_metadata', field: 'redirect_uris[0]' },
    { name: 'an unpaired surrogate in a jwks kid', input: { ...PUBLIC, jwks: { keys: [{ kty: 'EC', kid: '\ud800' }] } }, error: 'invalid_client_metadata', field: 'jwks.keys[0].kid' },

    // types and sizes (DTO)
    { name: 'redirect_uris not an array', input: { ...PUBLIC, redirect_uris: 'https://app.example.com/cb' }, error: 'invalid_redirect_uri', field: 'redirect_uris' },
    { name: 'redirect_uris with a number', input: uri(42), error: 'invalid_redirect_uri', field: 'redirect_uris' },
    { name: 'too many redirect_uris', input: { ...PUBLIC, redirect_uris: Array.from({ length: 201 }, (_, i) => `https://app.example.com/${i}`) }, error: 'invalid_redirect_uri', field: 'redirect_uris' },
    { name: 'overlong redirect URI', input: uri(`https://app.example.com/${'a'.repeat(2048)}`), error: 'invalid_redirect_uri', field: 'redirect_uris' },
    { name: 'grant_types not an array', input: { ...PUBLIC, grant_types: 'authorization_code' }, error: 'invalid_client_metadata', field: 'grant_types' },
    { name: 'response_types with a number', input: { ...PUBLIC, response_types: [1] }, error: 'invalid_client_metadata', field: 'response_types' },
    { name: 'token_endpoint_auth_method not a string', input: { ...PUBLIC, token_endpoint_auth_method: 1 }, error: 'invalid_client_metadata', field: 'token_endpoint_auth_method' },
    { name: 'unsupported token_endpoint_auth_method', input: { ...PUBLIC, token_endpoint_auth_method: 'client_secret_jwt' }, error: 'invalid_client_metadata', field: 'token_endpoint_auth_method' },
    { name: 'client_name not a string', input: { ...PUBLIC, client_name: ['x'] }, error: 'invalid_client_metadata', field: 'client_name' },
    { name: 'empty client_name', input: { ...PUBLIC, client_name: '' }, error: 'invalid_client_metadata', field: 'client_name' },
    { name: 'overlong client_name', input: { ...PUBLIC, client_name: 'x'.repeat(257) }, error: 'invalid_client_metadata', field: 'client_name' },
    { name: 'scope not a string', input: { ...PUBLIC, scope: ['openid'] }, error: 'invalid_client_metadata', field: 'scope' },
    { name: 'overlong scope', input: { ...PUBLIC, scope: 'openid '.repeat(2000) }, error: 'invalid_client_metadata', field: 'scope' },
    { name: 'contacts not an array', input: { ...PUBLIC, contacts: 'ops@app.example.com' }, error: 'invalid_client_metadata', field: 'contacts' },
    { name: 'contacts with a number', input: { ...PUBLIC, contacts: [5] }, error: 'invalid_client_metadata', field: 'contacts' },
    { name: 'empty contact', input: { ...PUBLIC, contacts: [''] }, error: 'invalid_client_metadata', field: 'contacts' },
    { name: 'too many contacts', input: { ...PUBLIC, contacts: Array.from({ length: 21 }, (_, i) => `c${i}@x.example`) }, error: 'invalid_client_metadata', field: 'contacts' },
    { name: 'client_uri not a string', input: { ...PUBLIC, client_uri: 1 }, error: 'invalid_client_metadata', field: 'client_uri' },
    { name: 'jwks not an object', input: { ...BULK, jwks: [ecP384] }, error: 'invalid_client_metadata', field: 'jwks' },
    { name: 'jwks_uri not a string', input: { ...ASYMMETRIC, jwks_uri: { url: 'x' } }, error: 'invalid_client_metadata', field: 'jwks_uri' },
    { name: 'software_id not a string', input: { ...PUBLIC, software_id: 7 }, error: 'invalid_client_metadata', field: 'software_id' },
    { name: 'software_version not a string', input: { ...PUBLIC, software_version: 2.1 }, error: 'invalid_client_metadata', field: 'software_version' },
    { name: 'post_logout_redirect_uris not an array', input: { ...PUBLIC, post_logout_redirect_uris: 'https://app.example.com/bye' }, error: 'invalid_client_metadata', field: 'post_logout_redirect_uris' },
    { name: 'unsupported id_token_signed_response_alg', input: { ...PUBLIC, id_token_signed_response_alg: 'none' }, error: 'invalid_client_metadata', field: 'id_token_signed_response_alg' },
    { name: 'unsupported token_endpoint_auth_signing_alg', input: { ...ASYMMETRIC, token_endpoint_auth_signing_alg: 'HS256' }, error: 'invalid_client_metadata', field: 'token_endpoint_auth_signing_alg' },
    { name: 'unsupported application_type', input: { ...PUBLIC, application_type: 'desktop' }, error: 'invalid_client_metadata', field: 'application_type' },
    { name: 'require_pushed_authorization_requests not a boolean (RFC 9126 §6)', input: { ...PUBLIC, require_pushed_authorization_requests: 'true' }, error: 'invalid_client_metadata', field: 'require_pushed_authorization_requests' },
    { name: 'dpop_bound_access_tokens not a boolean (RFC 9449 §5.2)', input: { ...PUBLIC, dpop_bound_access_tokens: 'yes' }, error: 'invalid_client_metadata', field: 'dpop_bound_access_tokens' },
    { name: 'client_id too short', input: { ...PUBLIC, client_id: 'ab' }, error: 'invalid_client_metadata', field: 'client_id' },
    { name: 'client_id with a slash', input: { ...PUBLIC, client_id: 'a/b/c' }, error: 'invalid_client_metadata', field: 'client_id' },
    { name: 'client_id not a string', input: { ...PUBLIC, client_id: 12345 }, error: 'invalid_client_metadata', field: 'client_id' },

    // redirect URIs (RFC 6749 §3.1.2, RFC 8252, RFC 9700)
    { name: 'relative redirect URI', input: uri('/callback'), error: 'invalid_redirect_uri', field: 'redirect_uris[0]' },
    { name: 'empty redirect URI', input: uri(''), error: 'invalid_redirect_uri', field: 'redirect_uris[0]' },
    { name: 'redirect URI with a fragment', input: uri('https://app.example.com/cb#frag'), error: 'invalid_redirect_uri', field: 'redirect_uris[0]' },
    { name: 'redirect URI with an empty fragment', input: uri('https://app.example.com/cb#'), error: 'invalid_redirect_uri', field: 'redirect_uris[0]' },
    { name: 'plain http redirect URI', input: uri('http://app.example/cb'), error: 'invalid_redirect_uri', field: 'redirect_uris[0]', mentions: 'RFC 9700' },
    { name: 'http on a look-alike loopback host', input: uri('http://127.0.0.1.evil.example/cb'), error: 'invalid_redirect_uri', field: 'redirect_uris[0]' },
    { name: 'http on localhost.evil', input: uri('http://localhost.evil.example/cb'), error: 'invalid_redirect_uri', field: 'redirect_uris[0]' },
    { name: 'wildcard host', input: uri('https://*.example.com/cb'), error: 'invalid_redirect_uri', field: 'redirect_uris[0]' },
    { name: 'wildcard path', input: uri('https://app.example.com/*'), error: 'invalid_redirect_uri', field: 'redirect_uris[0]' },
    { name: 'javascript: scheme', input: uri('javascript:alert(1)'), error: 'invalid_redirect_uri', field: 'redirect_uris[0]' },
    { name: 'data: scheme', input: uri('data:text/html,hi'), error: 'invalid_redirect_uri', field: 'redirect_uris[0]' },
    { name: 'custom scheme without a dot', input: uri('myapp:/callback'), error: 'invalid_redirect_uri', field: 'redirect_uris[0]', mentions: 'RFC 8252' },
    { name: 'https without a host', input: uri('https:/app.example.com/cb'), error: 'invalid_redirect_uri', field: 'redirect_uris[0]' },
    { name: 'https with user information', input: uri('https://app.example.com@evil.example/cb'), error: 'invalid_redirect_uri', field: 'redirect_uris[0]' },
    { name: 'redirect URI with whitespace', input: uri('https://app.example.com/c b'), error: 'invalid_redirect_uri', field: 'redirect_uris[0]' },
    { name: 'redirect URI with a backslash', input: uri('https://app.example.com\\@evil.example/cb'), error: 'invalid_redirect_uri', field: 'redirect_uris[0]' },
    { name: 'second redirect URI bad', input: { ...PUBLIC, redirect_uris: ['https://app.example.com/cb', 'http://app.example.com/cb'] }, error: 'invalid_redirect_uri', field: 'redirect_uris[1]' },
    { name: 'authorization_code without redirect_uris', input: { ...PUBLIC, redirect_uris: undefined }, error: 'invalid_redirect_uri', field: 'redirect_uris' },
    { name: 'authorization_code with empty redirect_uris', input: { ...PUBLIC, redirect_uris: [] }, error: 'invalid_redirect_uri', field: 'redirect_uris' },
    { name: 'post-logout URI over plain http', input: { ...PUBLIC, post_logout_redirect_uris: ['http://app.example.com/bye'] }, error: 'invalid_client_metadata', field: 'post_logout_redirect_uris[0]' },
    { name: 'post-logout URI with a fragment', input: { ...PUBLIC, post_logout_redirect_uris: ['https://app.example.com/bye#x'] }, error: 'invalid_client_metadata', field: 'post_logout_redirect_uris[0]' },

    // grant and response types (RFC 7591 §2.1, RFC 9700)
    { name: 'implicit grant', input: { ...PUBLIC, grant_types: ['authorization_code', 'implicit'] }, error: 'invalid_client_metadata', field: 'grant_types', mentions: 'RFC 9700' },
    { name: 'password grant', input: { ...PUBLIC, grant_types: ['password'] }, error: 'invalid_client_metadata', field: 'grant_types', mentions: 'RFC 9700' },
    { name: 'unknown grant type', input: { ...PUBLIC, grant_types: ['authorization_code', 'urn:example:magic'] }, error: 'invalid_client_metadata', field: 'grant_types' },
    { name: 'empty grant_types', input: { ...PUBLIC, grant_types: [] }, error: 'invalid_client_metadata', field: 'grant_types' },
    { name: 'token response type', input: { ...PUBLIC, response_types: ['token'] }, error: 'invalid_client_metadata', field: 'response_types', mentions: 'RFC 9700' },
    { name: 'id_token response type', input: { ...PUBLIC, response_types: ['id_token'] }, error: 'invalid_client_metadata', field: 'response_types', mentions: 'RFC 9700' },
    { name: 'hybrid code id_token response type', input: { ...PUBLIC, response_types: ['code', 'code id_token'] }, error: 'invalid_client_metadata', field: 'response_types', mentions: 'RFC 9700' },
    { name: 'unknown response type', input: { ...PUBLIC, response_types: ['none'] }, error: 'invalid_client_metadata', field: 'response_types' },
    { name: 'authorization_code without the code response type', input: { ...PUBLIC, response_types: [] }, error: 'invalid_client_metadata', field: 'response_types' },
    { name: 'code response type without authorization_code', input: { ...MACHINE_SECRET, response_types: ['code'] }, error: 'invalid_client_metadata', field: 'grant_types' },
    { name: 'refresh_token alone', input: { ...MACHINE_SECRET, grant_types: ['refresh_token'] }, error: 'invalid_client_metadata', field: 'refresh_token' },
    { name: 'refresh_token with client_credentials', input: { ...MACHINE_SECRET, grant_types: ['client_credentials', 'refresh_token'] }, error: 'invalid_client_metadata', field: 'grant_types' },
    { name: 'client_credentials for a public client', input: { ...MACHINE_SECRET, token_endpoint_auth_method: 'none' }, error: 'invalid_client_metadata', field: 'token_endpoint_auth_method' },

    // keys (RFC 7591 §2, RFC 7517)
    { name: 'private_key_jwt without keys', input: { ...ASYMMETRIC, jwks_uri: undefined }, error: 'invalid_client_metadata', field: 'jwks' },
    { name: 'both jwks and jwks_uri', input: { ...ASYMMETRIC, jwks: { keys: [ecP384] } }, error: 'invalid_client_metadata', field: 'jwks_uri' },
    { name: 'jwks_uri with client_secret_basic', input: { ...SYMMETRIC, jwks_uri: 'https://app.example.com/jwks.json' }, error: 'invalid_client_metadata', field: 'jwks_uri' },
    { name: 'jwks with auth method none', input: { ...PUBLIC, jwks: { keys: [ecP384] } }, error: 'invalid_client_metadata', field: 'jwks' },
    { name: 'jwks_uri over plain http', input: { ...ASYMMETRIC, jwks_uri: 'http://app.example.com/jwks.json' }, error: 'invalid_client_metadata', field: 'jwks_uri' },
    { name: 'relative jwks_uri', input: { ...ASYMMETRIC, jwks_uri: '/jwks.json' }, error: 'invalid_client_metadata', field: 'jwks_uri' },
    { name: 'jwks_uri with another scheme', input: { ...ASYMMETRIC, jwks_uri: 'ftp://app.example.com/jwks.json' }, error: 'invalid_client_metadata', field: 'jwks_uri' },
    { name: 'jwks without keys', input: { ...BULK, jwks: { kty: 'EC' } }, error: 'invalid_client_metadata', field: 'jwks' },
    { name: 'jwks with an empty keys array', input: { ...BULK, jwks: { keys: [] } }, error: 'invalid_client_metadata', field: 'jwks.keys' },
    { name: 'jwks key not an object', input: { ...BULK, jwks: { keys: ['key'] } }, error: 'invalid_client_metadata', field: 'jwks.keys[0]' },
    { name: 'jwks key without kty', input: { ...BULK, jwks: { keys: [{ ...ecP384, kty: undefined }] } }, error: 'invalid_client_metadata', field: 'jwks.keys[0]' },
    { name: 'jwks key without kid', input: { ...BULK, jwks: { keys: [{ ...ecP384, kid: undefined }] } }, error: 'invalid_client_metadata', field: 'jwks.keys[0]' },
    { name: 'jwks with duplicate kids', input: { ...BULK, jwks: { keys: [rsa, { ...ecP384, kid: rsa.kid }] } }, error: 'invalid_client_metadata', field: 'jwks.keys[1]' },
    { name: 'jwks with a private EC key', input: { ...BULK, jwks: { keys: [ecPrivate] } }, error: 'invalid_client_metadata', field: 'jwks.keys[0]' },
    ...['p', 'q', 'dp', 'dq', 'qi'].map((member): Case => ({
      name: `jwks with RSA private member ${member}`,
      input: { ...BULK, jwks: { keys: [{ ...rsa, [member]: 'AQAB' }] } },
      error: 'invalid_client_metadata',
      field: 'jwks.keys[0]',
    })),
    { name: 'jwks with a symmetric oct key', input: { ...BULK, jwks: { keys: [{ kty: 'oct', kid: 'h', k: 'c2VjcmV0' }] } }, error: 'invalid_client_metadata', field: 'jwks.keys[0]' },
    { name: 'jwks with an unknown kty', input: { ...BULK, jwks: { keys: [{ ...ecP384, kty: 'XYZ' }] } }, error: 'invalid_client_metadata', field: 'jwks.keys[0]' },
    { name: 'jwks key that does not import', input: { ...BULK, jwks: { keys: [{ kty: 'EC', kid: 'bad', crv: 'P-384', x: 'AA', y: 'AA' }] } }, error: 'invalid_client_metadata', field: 'jwks.keys[0]' },

    // scope
    { name: 'unknown scope', input: { ...PUBLIC, scope: 'openid patient/*.read superpowers' }, error: 'invalid_client_metadata', field: 'scope', mentions: 'unknown scope: superpowers' },
    { name: 'blank scope', input: { ...PUBLIC, scope: '   ' }, error: 'invalid_client_metadata', field: 'scope' },

    // SMART launch_uri (SMART App Launch 2.2 §"EHR Launch")
    { name: 'launch_uri not a string', input: { ...PUBLIC, launch_uri: ['https://app.example.com/launch'] }, error: 'invalid_client_metadata', field: 'launch_uri' },
    { name: 'overlong launch_uri', input: { ...PUBLIC, launch_uri: `https://app.example.com/${'a'.repeat(2048)}` }, error: 'invalid_client_metadata', field: 'launch_uri' },
    { name: 'relative launch_uri', input: { ...PUBLIC, launch_uri: '/launch' }, error: 'invalid_client_metadata', field: 'launch_uri' },
    { name: 'launch_uri with another scheme', input: { ...PUBLIC, launch_uri: 'javascript:alert(1)' }, error: 'invalid_client_metadata', field: 'launch_uri' },
    { name: 'launch_uri over plain http', input: { ...PUBLIC, launch_uri: 'http://app.example.com/launch' }, error: 'invalid_client_metadata', field: 'launch_uri', mentions: 'https' },
    { name: 'launch_uri over http on a look-alike loopback host', input: { ...PUBLIC, launch_uri: 'http://localhost.evil.example/launch' }, error: 'invalid_client_metadata', field: 'launch_uri' },
    { name: 'launch_uri with a fragment', input: { ...PUBLIC, launch_uri: 'https://app.example.com/launch#go' }, error: 'invalid_client_metadata', field: 'launch_uri', mentions: 'fragment' },
    { name: 'launch_uri with user information', input: { ...PUBLIC, launch_uri: 'https://app.example.com@evil.example/launch' }, error: 'invalid_client_metadata', field: 'launch_uri' },
    { name: 'launch_uri with whitespace', input: { ...PUBLIC, launch_uri: 'https://app.example.com/la unch' }, error: 'invalid_client_metadata', field: 'launch_uri' },

    // informational URIs
    ...(['client_uri', 'logo_uri', 'tos_uri', 'policy_uri'] as const).flatMap((field): Case[] => [
      { name: `relative ${field}`, input: { ...PUBLIC, [field]: '/about' }, error: 'invalid_client_metadata', field },
      { name: `non-http ${field}`, input: { ...PUBLIC, [field]: 'javascript:alert(1)' }, error: 'invalid_client_metadata', field },
    ]),
  ];

  for (const { name, input, error, field, mentions } of cases) {
    it(name, () => {
      const err = rejection(input === undefined ? input : JSON.parse(JSON.stringify(input)));
      assert.equal(err.error, error, `error code (description: ${err.description})`);
      assert.equal(err.status, 400);
      assert.ok(err.description?.includes(field), `description "${err.description}" should mention ${field}`);
      if (mentions) assert.ok(err.description?.includes(mentions), `description "${err.description}" should mention ${mentions}`);
    });
  }

  it('keeps the description of an OAuthError thrown by the scope validator', () => {
    const err = (() => {
      try {
        validateClientMetadata(PUBLIC, { ...policy, validateScope: () => { throw new InvalidScope('patient/Foo.zz is malformed'); } });
      } catch (e: unknown) {
        return e;
      }
      return undefined;
    })();
    assert.ok(err instanceof OAuthError);
    assert.equal(err.error, 'invalid_client_metadata');
    assert.equal(err.description, 'unknown or malformed scope: patient/Foo.zz is malformed');
  });
});

describe('registration constants', () => {
  it('lists the supported grant types', () => {
    assert.deepEqual(SUPPORTED_GRANT_TYPES, ['authorization_code', 'refresh_token', 'client_credentials', 'urn:ietf:params:oauth:grant-type:jwt-bearer']);
  });

  it('lists the supported auth methods', () => {
    assert.deepEqual(SUPPORTED_AUTH_METHODS, ['none', 'client_secret_basic', 'client_secret_post', 'private_key_jwt']);
  });

  const symmetric = [
    { method: 'none', expected: false },
    { method: 'client_secret_basic', expected: true },
    { method: 'client_secret_post', expected: true },
    { method: 'private_key_jwt', expected: false },
  ] as const;
  for (const { method, expected } of symmetric) {
    it(`isSymmetric(${method}) is ${expected}`, () => assert.equal(isSymmetric(method), expected));
  }
});
