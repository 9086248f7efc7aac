import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ClientMetadata } from '#contracts';
import { ClientEntity } from '../persistence/entities/client.entity.js';
import { clientInformation, clientRecord, defaultScopeFor } from './client-information.js';

function entity(method: ClientMetadata['token_endpoint_auth_method']): ClientEntity {
  return Object.assign(new ClientEntity(), {
    clientId: 'app 1',
    metadata: { redirect_uris: [], token_endpoint_auth_method: method, grant_types: ['client_credentials'], response_types: [], scope: 'system/*.rs' },
    clientSecretHash: method.startsWith('client_secret') ? 'a'.repeat(64) : null,
    clientSecretExpiresAt: '0' as unknown as number, // bigint columns come back from pg as strings
    registrationTokenHash: 'b'.repeat(64),
    registrationTokenEncrypted: 'v1.x.y.z.w',
    clientIdIssuedAt: '1700000000' as unknown as number,
    revision: 3,
    managed: false,
  });
}

describe('client information response (RFC 7591 §3.2.1)', () => {
  it('carries the secret only when just issued, and the expiry for symmetric clients', () => {
    const body = clientInformation(entity('client_secret_basic'), 'https://auth.example', { registrationAccessToken: 'rat', clientSecret: 's3cret' });
    assert.equal(body.client_secret, 's3cret');
    assert.equal(body.client_secret_expires_at, 0);
    assert.equal(body.client_id_issued_at, 1700000000);
    assert.equal(body.registration_access_token, 'rat');
    assert.equal(body.registration_client_uri, 'https://auth.example/register/app%201');
    const read = clientInformation(entity('client_secret_basic'), 'https://auth.example', { registrationAccessToken: 'rat' });
    assert.equal(read.client_secret, undefined);
  });

  it('has no secret fields for public and asymmetric clients', () => {
    for (const method of ['none', 'private_key_jwt'] as const) {
      const body = clientInformation(entity(method), 'https://auth.example', { registrationAccessToken: 'rat' });
      assert.equal(body.client_secret, undefined);
      assert.equal(body.client_secret_expires_at, undefined);
    }
  });

  it('gives the token path the secret hash but never the registration token', () => {
    const record = clientRecord(entity('client_secret_post'));
    assert.equal(record.client_secret_hash, 'a'.repeat(64));
    assert.equal(record.revision, 3);
    assert.ok(!JSON.stringify(record).includes('b'.repeat(64)));
    assert.ok(!JSON.stringify(record).includes('v1.x.y.z.w'));
  });
});

describe('defaultScopeFor', () => {
  const cases: Array<[unknown, string]> = [
    [{ grant_types: ['client_credentials'] }, 'system/*.rs'],
    [{ grant_types: ['authorization_code'] }, 'launch/patient openid fhirUser offline_access patient/*.rs'],
    [{ grant_types: ['client_credentials', 'authorization_code'] }, 'launch/patient openid fhirUser offline_access patient/*.rs'],
    [{}, 'launch/patient openid fhirUser offline_access patient/*.rs'],
    [null, 'launch/patient openid fhirUser offline_access patient/*.rs'],
  ];
  for (const [input, scope] of cases) it(`${JSON.stringify(input)} → ${scope}`, () => assert.equal(defaultScopeFor(input), scope));
});
