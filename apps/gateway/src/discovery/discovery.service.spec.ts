import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { authorizationServerMetadata, mergeFragments, smartConfiguration } from './discovery.service.js';

const issuer = 'https://auth.example';

describe('discovery composition', () => {
  const merged = mergeFragments(issuer, [
    { service: 'token', endpoints: { token_endpoint: '/token' }, lists: { grant_types_supported: ['client_credentials'] }, capabilities: ['permission-v2'] },
    { service: 'other', lists: { grant_types_supported: ['client_credentials', 'authorization_code'] }, capabilities: ['permission-v2', 'launch-ehr'], values: { x: true } },
  ]);

  it('makes endpoints absolute and unions lists and capabilities', () => {
    assert.equal(merged.token_endpoint, 'https://auth.example/token');
    assert.deepEqual(merged.grant_types_supported, ['client_credentials', 'authorization_code']);
    assert.deepEqual(merged.capabilities, ['permission-v2', 'launch-ehr']);
    assert.equal(merged.x, true);
  });

  it('keeps issuer and jwks_uri out of the SMART document without sso-openid-connect', () => {
    const smart = smartConfiguration({ ...merged, jwks_uri: `${issuer}/jwks` });
    assert.equal(smart.issuer, undefined);
    assert.equal(smart.jwks_uri, undefined);
    assert.equal(smart.token_endpoint, 'https://auth.example/token');
    const sso = smartConfiguration({ ...merged, jwks_uri: `${issuer}/jwks`, capabilities: ['sso-openid-connect'] });
    assert.equal(sso.issuer, issuer);
    assert.equal(sso.jwks_uri, `${issuer}/jwks`);
  });

  it('leaves SMART capabilities out of the RFC 8414 document', () => {
    const doc = authorizationServerMetadata(merged);
    assert.equal(doc.capabilities, undefined);
    assert.equal(doc.issuer, issuer);
  });

  it('advertises only the issuer when nothing answers', () => {
    assert.deepEqual(mergeFragments(issuer, []), { issuer, capabilities: [] });
  });
});
