import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { UdapServerMetadata } from '#contracts';
import { udapDocument } from './udap-document.js';

const server: UdapServerMetadata = {
  udap_versions_supported: ['1'],
  udap_authorization_extensions_supported: [],
  udap_authorization_extensions_required: [],
  udap_certifications_supported: [],
  udap_certifications_required: [],
  token_endpoint_auth_signing_alg_values_supported: ['RS256', 'ES256'],
  registration_endpoint_jwt_signing_alg_values_supported: ['RS256', 'ES256'],
  signed_metadata: 'a.b.c',
};
const merged = {
  issuer: 'https://auth.example',
  authorization_endpoint: 'https://auth.example/authorize',
  token_endpoint: 'https://auth.example/token',
  registration_endpoint: 'https://auth.example/register',
  grant_types_supported: ['authorization_code', 'client_credentials', 'refresh_token', 'urn:ietf:params:oauth:grant-type:jwt-bearer'],
  scopes_supported: ['openid', 'system/*.rs'],
};

describe('.well-known/udap composition (UDAP Security 2.0 §2.2)', () => {
  it('has every required field, the UDAP grant types only, and private_key_jwt alone', () => {
    const doc = udapDocument(merged, server);
    for (const field of ['udap_versions_supported', 'udap_profiles_supported', 'udap_authorization_extensions_supported', 'udap_certifications_supported', 'grant_types_supported', 'scopes_supported', 'token_endpoint', 'token_endpoint_auth_methods_supported', 'token_endpoint_auth_signing_alg_values_supported', 'registration_endpoint', 'registration_endpoint_jwt_signing_alg_values_supported', 'signed_metadata']) {
      assert.ok(doc[field] !== undefined, field);
    }
    assert.deepEqual(doc.grant_types_supported, ['authorization_code', 'refresh_token', 'client_credentials']);
    assert.deepEqual(doc.udap_profiles_supported, ['udap_dcr', 'udap_authn', 'udap_authz']);
    assert.deepEqual(doc.token_endpoint_auth_methods_supported, ['private_key_jwt']);
    assert.equal(doc.authorization_endpoint, 'https://auth.example/authorize');
  });

  it('leaves out the authorization endpoint, refresh_token and udap_authz where their grants are missing', () => {
    const doc = udapDocument({ ...merged, grant_types_supported: ['refresh_token', 'client_credentials'] }, server);
    assert.deepEqual(doc.grant_types_supported, ['client_credentials']);
    assert.equal(doc.authorization_endpoint, undefined);
    const codeOnly = udapDocument({ ...merged, grant_types_supported: ['authorization_code'] }, server);
    assert.deepEqual(codeOnly.udap_profiles_supported, ['udap_dcr', 'udap_authn']);
  });
});
