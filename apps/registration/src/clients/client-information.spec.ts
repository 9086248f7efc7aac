import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ClientMetadata } from '#contracts';
import { ClientEntity } from '../persistence/entities/client.entity.js';
import { clientEventData, clientInformation, clientRecord } from './client-information.js';

function entity(method: ClientMetadata['token_endpoint_auth_method'], extra: Partial<ClientMetadata> = {}): ClientEntity {
  return Object.assign(new ClientEntity(), {
    clientId: 'app 1',
    metadata: { redirect_uris: [], token_endpoint_auth_method: method, grant_types: ['client_credentials'], response_types: [], scope: 'system/*.rs', ...extra },
    clientSecretHash: method.startsWith('client_secret') ? 'a'.repeat(64) : null,
    clientSecretExpiresAt: '0' as unknown as number, // bigint columns come back from pg as strings
    registrationTokenHash: 'b'.repeat(64),
    clientIdIssuedAt: '1700000000' as unknown as number,
    revision: 3,
    managed: false,
    trust: 'initial-access-token',
    approvedPrivileges: { scope: ['system/*.rs'], grant_types: [] },
    rejectedPrivileges: { scope: [], grant_types: [] },
    approvalStatus: 'approved',
  });
}

describe('client information response (RFC 7591 §3.2.1, RFC 7592 §3)', () => {
  it('echoes the metadata and adds the server fields, the secret only when just issued', () => {
    const body = clientInformation(entity('client_secret_basic', { client_name: 'App' }), 'https://auth.example', { registrationAccessToken: 'rat', clientSecret: 's3cret' });
    assert.deepEqual(body, {
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['client_credentials'],
      response_types: [],
      scope: 'system/*.rs',
      client_name: 'App',
      client_id: 'app 1',
      client_secret: 's3cret',
      client_id_issued_at: 1700000000,
      client_secret_expires_at: 0,
      registration_access_token: 'rat',
      registration_client_uri: 'https://auth.example/register/app%201',
    });
    const read = clientInformation(entity('client_secret_basic'), 'https://auth.example', { registrationAccessToken: 'rat' });
    assert.equal('client_secret' in read, false);
    assert.equal(read.client_secret_expires_at, 0, 'REQUIRED for a client that has a secret');
  });

  for (const method of ['none', 'private_key_jwt'] as const) {
    it(`has no secret fields for a ${method} client`, () => {
      const body = clientInformation(entity(method), 'https://auth.example', { registrationAccessToken: 'rat' });
      assert.equal('client_secret' in body, false);
      assert.equal('client_secret_expires_at' in body, false);
    });
  }

  it('never carries the stored hashes', () => {
    const text = JSON.stringify(clientInformation(entity('client_secret_post'), 'https://auth.example', { registrationAccessToken: 'rat' }));
    assert.ok(!text.includes('a'.repeat(64)) && !text.includes('b'.repeat(64)), text);
  });
});

describe('clientRecord', () => {
  it('gives the token path the secret hash but never the registration token hash', () => {
    const record = clientRecord(entity('client_secret_post'));
    assert.equal(record.client_secret_hash, 'a'.repeat(64));
    assert.equal(record.client_secret_expires_at, 0);
    assert.equal(record.client_id_issued_at, 1700000000);
    assert.equal(record.revision, 3);
    assert.ok(!JSON.stringify(record).includes('b'.repeat(64)));
  });

  it('has no secret hash for a client without a secret', () => {
    assert.equal('client_secret_hash' in clientRecord(entity('private_key_jwt')), false);
  });
});

describe('clientEventData', () => {
  it('names the client and what it may do, without secrets', () => {
    assert.deepEqual(clientEventData(entity('client_secret_basic', { client_name: 'App' })), {
      client_id: 'app 1',
      client_name: 'App',
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['client_credentials'],
      scope: 'system/*.rs',
      revision: 3,
      status: 'approved',
    });
    assert.equal('client_name' in clientEventData(entity('none')), false);
  });
});

describe('trust tiers in what a client is told and what services see', () => {
  const anonymous = (): ClientEntity =>
    Object.assign(entity('client_secret_basic', { scope: 'system/*.rs introspect launch patient/*.rs' }), {
      trust: 'anonymous',
      approvedPrivileges: { scope: ['introspect'], grant_types: [] },
      rejectedPrivileges: { scope: ['launch'], grant_types: [] },
      approvalStatus: 'pending',
    });

  it('says which privileges wait and which were refused (the documented extension fields)', () => {
    const body = clientInformation(anonymous(), 'https://auth.example', { registrationAccessToken: 'rat' });
    assert.deepEqual(body.privileges_pending, { scope: ['system/*.rs'], grant_types: [] });
    assert.deepEqual(body.privileges_rejected, { scope: ['launch'], grant_types: [] });
    assert.equal(body.scope, 'system/*.rs introspect launch patient/*.rs', 'the registered scope is echoed as asked');
  });

  it('hands the token path what it may not use', () => {
    const record = clientRecord(anonymous());
    assert.deepEqual(record.privileges_pending, { scope: ['system/*.rs'], grant_types: [] });
    assert.deepEqual(record.privileges_rejected, { scope: ['launch'], grant_types: [] });
  });

  it('withholds nothing from a client managed by configuration', () => {
    const record = clientRecord(Object.assign(anonymous(), { managed: true, trust: 'configuration' }));
    assert.equal('privileges_pending' in record, false);
    assert.equal('privileges_rejected' in record, false);
  });

  it('puts the pending privileges in the client event', () => {
    assert.deepEqual(clientEventData(anonymous()).privileges_pending, { scope: ['system/*.rs'], grant_types: [] });
  });
});
