import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ClientRecord, PresentedClientAuth } from '#contracts';
import { sha256Hex } from '#oauth';
import { InMemoryAssertionReplayStore } from '../messaging/assertion-replay.store.js';
import { AssertionRejected } from './assertion-rejected.js';
import { ClientAssertionVerifier } from './client-assertion.verifier.js';
import { ClientAuthenticator } from './client-authenticator.js';
import { ClientKeyResolver } from './client-key.resolver.js';
import { JwksUriFetcher } from './jwks-uri.fetcher.js';
import { OutboundAddressPolicy } from './outbound-address.policy.js';

function client(id: string, method: ClientRecord['metadata']['token_endpoint_auth_method'], secret?: string, expiresAt = 0): ClientRecord {
  return {
    client_id: id,
    metadata: { redirect_uris: [], token_endpoint_auth_method: method, grant_types: ['client_credentials'], response_types: [], scope: 'system/*.rs' },
    ...(secret ? { client_secret_hash: sha256Hex(secret) } : {}),
    client_secret_expires_at: expiresAt,
    client_id_issued_at: 0,
    revision: 1,
  };
}

const directory = new Map<string, ClientRecord>([
  ['basic', client('basic', 'client_secret_basic', 's3cret')],
  ['post', client('post', 'client_secret_post', 's3cret')],
  ['public', client('public', 'none')],
  ['expired', client('expired', 'client_secret_basic', 's3cret', 1)],
]);
const authenticator = ClientAuthenticator.with({ get: async (id) => directory.get(id) ?? null });

describe('ClientAuthenticator', () => {
  const accepted: Array<[string, PresentedClientAuth]> = [
    ['Basic', { method: 'client_secret_basic', clientId: 'basic', clientSecret: 's3cret' }],
    ['post', { method: 'client_secret_post', clientId: 'post', clientSecret: 's3cret' }],
    ['public', { method: 'none', clientId: 'public' }],
  ];
  for (const [name, presented] of accepted) {
    it(`accepts ${name}`, async () => assert.equal((await authenticator.authenticate(presented)).client_id, presented.method === 'absent' ? '' : presented.clientId));
  }

  const refused: Array<[string, PresentedClientAuth, boolean]> = [
    ['no credentials', { method: 'absent' }, false],
    ['an unknown client', { method: 'client_secret_basic', clientId: 'nobody', clientSecret: 'x' }, true],
    ['a wrong secret', { method: 'client_secret_basic', clientId: 'basic', clientSecret: 'wrong' }, true],
    ['the wrong method', { method: 'client_secret_basic', clientId: 'post', clientSecret: 's3cret' }, true],
    ['a secret client posing as public', { method: 'none', clientId: 'basic' }, false],
    ['an expired secret', { method: 'client_secret_basic', clientId: 'expired', clientSecret: 's3cret' }, true],
    ['an assertion where no verifier is configured', { method: 'private_key_jwt', assertionType: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', assertion: 'x' }, false],
  ];
  for (const [name, presented, challenge] of refused) {
    it(`refuses ${name} with invalid_client`, async () => {
      await assert.rejects(authenticator.authenticate(presented), (err: { error: string; status: number; headers: Record<string, string> }) => {
        assert.equal(err.error, 'invalid_client');
        assert.equal(err.status, 401);
        assert.equal(Boolean(err.headers['www-authenticate']), challenge);
        return true;
      });
    });
  }
});

/** A verifier whose outcome is scripted (the checks themselves are in client-assertion.verifier.spec.ts). */
class ScriptedVerifier extends ClientAssertionVerifier {
  constructor(private readonly outcome: () => Promise<ClientRecord>) {
    super({ get: async () => null }, new ClientKeyResolver(new JwksUriFetcher(OutboundAddressPolicy.allowingEverything())), new InMemoryAssertionReplayStore(), 'https://as.example');
  }
  override async verify() {
    return { client: await this.outcome(), subject: 'x', claims: {} };
  }
}

describe('ClientAuthenticator with private_key_jwt', () => {
  const assertion: PresentedClientAuth = { method: 'private_key_jwt', assertionType: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', assertion: 'a.b.c' };

  it('returns the client the verifier vouches for', async () => {
    const jwtClient = client('jwt', 'private_key_jwt');
    const authenticator = ClientAuthenticator.with({ get: async () => null }, new ScriptedVerifier(async () => jwtClient));
    assert.equal((await authenticator.authenticate(assertion)).client_id, 'jwt');
  });

  it('turns a failed check into 401 invalid_client naming the check, without a Basic challenge', async () => {
    const authenticator = ClientAuthenticator.with({ get: async () => null }, new ScriptedVerifier(async () => Promise.reject(new AssertionRejected('the assertion has expired (exp)'))));
    await assert.rejects(authenticator.authenticate(assertion), (err: { error: string; status: number; description: string; headers: Record<string, string> }) => {
      assert.equal(err.error, 'invalid_client');
      assert.equal(err.status, 401);
      assert.equal(err.description, 'client assertion: the assertion has expired (exp)');
      assert.equal(err.headers['www-authenticate'], undefined);
      return true;
    });
  });

  it('answers 503 when the replay store cannot be reached', async () => {
    const authenticator = ClientAuthenticator.with({ get: async () => null }, new ScriptedVerifier(async () => Promise.reject(new Error('nats: timeout'))));
    await assert.rejects(authenticator.authenticate(assertion), (err: { error: string; status: number }) => err.error === 'temporarily_unavailable' && err.status === 503);
  });
});
