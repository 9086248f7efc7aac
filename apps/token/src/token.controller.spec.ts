import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ClientRecord, TokenRequest } from '#contracts';
import { randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { ClientAuthenticator, DpopProofVerifier, InMemoryAssertionReplayStore, loadConfig } from '#nest';
import { KeyEncryption, sha256Hex } from '#oauth';
import { TokenConfig } from './config/token.config.js';
import type { GrantContext, GrantHandler } from './grants/grant-handler.js';
import { GrantRegistry } from './grants/grant.registry.js';
import { TokenController } from './token.controller.js';

const backend: ClientRecord = {
  client_id: 'backend',
  metadata: { redirect_uris: [], token_endpoint_auth_method: 'client_secret_basic', grant_types: ['client_credentials'], response_types: [], scope: 'system/*.rs' },
  client_secret_hash: sha256Hex('s3cret'),
  client_secret_expires_at: 0,
  client_id_issued_at: 0,
  revision: 1,
};
const authenticator = ClientAuthenticator.with({ get: async (id) => (id === 'backend' ? backend : null) });
const basic = { method: 'client_secret_basic', clientId: 'backend', clientSecret: 's3cret' } as const;

/** Grant handlers that record what they were handed. */
function recording(grantType: string, requiresClientAuthentication: boolean, seen: GrantContext[]): GrantHandler {
  return {
    grantType,
    parameters: ['scope'],
    requiresClientAuthentication,
    handle: async (context) => {
      seen.push(context);
      return { access_token: 'at', token_type: 'Bearer', expires_in: 300, scope: context.params.scope ?? '' };
    },
  };
}

describe('TokenController', () => {
  const seen: GrantContext[] = [];
  const controller = new TokenController(
    new GrantRegistry([recording('client_credentials', true, seen), recording('urn:example:assertion', false, seen)]),
    authenticator,
    new DpopProofVerifier(new InMemoryAssertionReplayStore()),
    loadConfig(TokenConfig, { KEY_ENCRYPTION_KEY: KeyEncryption.generateSetting(), ISSUER: 'https://auth.example', FHIR_BASE_URL: 'https://fhir.example', LOG_LEVEL: 'error' }),
  );

  const refused: Array<[string, unknown, string, number]> = [
    ['a payload that is not an object', 'grant_type=client_credentials', 'invalid_request', 400],
    ['params that are not strings', { params: { grant_type: ['client_credentials'] }, auth: basic }, 'invalid_request', 400],
    ['missing credentials object', { params: { grant_type: 'client_credentials' } }, 'invalid_request', 400],
    ['a missing grant_type, even with bad credentials', { params: {}, auth: { ...basic, clientSecret: 'wrong' } }, 'invalid_request', 400],
    // SMART Backend Services / ONC: exactly 400, before the client is looked at.
    ['an unknown grant_type without credentials', { params: { grant_type: 'not_a_grant_type' }, auth: { method: 'absent' } }, 'unsupported_grant_type', 400],
    ['an unknown grant_type with bad credentials', { params: { grant_type: 'password' }, auth: { ...basic, clientSecret: 'wrong' } }, 'unsupported_grant_type', 400],
    ['a known grant without credentials', { params: { grant_type: 'client_credentials' }, auth: { method: 'absent' } }, 'invalid_client', 401],
    ['a known grant with a wrong secret', { params: { grant_type: 'client_credentials' }, auth: { ...basic, clientSecret: 'wrong' } }, 'invalid_client', 401],
    ['a DPoP member that is not a list of strings', { params: { grant_type: 'client_credentials' }, auth: basic, dpop: 'proof' }, 'invalid_request', 400],
    ['an invalid DPoP proof (RFC 9449 §4.3)', { params: { grant_type: 'client_credentials' }, auth: basic, dpop: ['not-a-proof'] }, 'invalid_dpop_proof', 400],
    ['bad credentials on a grant that does not need them', { params: { grant_type: 'urn:example:assertion' }, auth: { ...basic, clientSecret: 'wrong' } }, 'invalid_client', 401],
  ];
  for (const [name, payload, error, status] of refused) {
    it(`answers ${error} for ${name}`, async () => {
      seen.length = 0;
      await assert.rejects(controller.issue(payload), { error, status });
      assert.equal(seen.length, 0);
    });
  }

  it('hands the grant the authenticated client and only the parameters it declared (RFC 6749 §3.2)', async () => {
    seen.length = 0;
    const request: TokenRequest = { params: { grant_type: 'client_credentials', scope: 'system/*.rs', unknown_param: 'x', client_id: 'backend' }, auth: basic, requestId: 'r1' };
    const body = await controller.issue(request);
    assert.equal(body.scope, 'system/*.rs');
    assert.deepEqual(seen[0]!.params, { scope: 'system/*.rs' });
    assert.equal(seen[0]!.client, backend);
    assert.equal(seen[0]!.requestId, 'r1');
  });

  it('hands the grant the checked DPoP proof, for POST at the issuer URL of /token (RFC 9449 §4.3)', async () => {
    seen.length = 0;
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const jwk = await exportJWK(publicKey);
    const proof = await new SignJWT({ jti: randomUUID(), htm: 'POST', htu: 'https://auth.example/token', iat: Math.floor(Date.now() / 1000) })
      .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk })
      .sign(privateKey);
    await controller.issue({ params: { grant_type: 'client_credentials' }, auth: basic, dpop: [proof] });
    assert.deepEqual(seen[0]!.proof, { jkt: await calculateJwkThumbprint(jwk, 'sha256') });
  });

  it('lets a grant that does not require client authentication run without a client', async () => {
    seen.length = 0;
    await controller.issue({ params: { grant_type: 'urn:example:assertion' }, auth: { method: 'absent' } });
    assert.equal(seen[0]!.client, null);
  });

  it('reports its discovery fragment', () => {
    const fragment = controller.metadata();
    assert.equal(fragment.endpoints?.token_endpoint, '/token');
    assert.deepEqual(fragment.lists?.grant_types_supported, ['client_credentials', 'urn:example:assertion']);
    assert.ok(fragment.lists?.token_endpoint_auth_methods_supported?.includes('none'));
    assert.deepEqual(fragment.lists?.id_token_signing_alg_values_supported, ['RS256', 'ES256']);
    assert.deepEqual(fragment.lists?.dpop_signing_alg_values_supported, ['ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512']);
  });
});
