import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ClientMetadata } from '#contracts';
import { sha256Hex } from '#oauth';
import { ADMIN_MANAGER, ClientEntity, CLIENTS_FILE_MANAGER } from '../persistence/entities/client.entity.js';
import type { DeclaredClient } from './clients-file.js';
import { isTakeover, planDeclaredClients } from './declared-clients.plan.js';

const NOW = new Date('2026-06-01T00:00:00Z');
const METADATA: ClientMetadata = {
  client_name: 'Billing',
  redirect_uris: [],
  token_endpoint_auth_method: 'client_secret_basic',
  grant_types: ['client_credentials'],
  response_types: [],
  scope: 'system/Patient.rs',
  application_type: 'web',
};

function declared(clientId: string, overrides: Partial<DeclaredClient> = {}): DeclaredClient {
  return { clientId, metadata: structuredClone(METADATA), clientSecretHash: sha256Hex(`${clientId}-secret-0123456789`), ...overrides };
}

/** As PostgreSQL returns a row: jsonb reorders keys, bigint columns are strings. */
function stored(clientId: string, overrides: Partial<ClientEntity> = {}): ClientEntity {
  return Object.assign(new ClientEntity(), {
    clientId,
    metadata: Object.fromEntries(Object.entries(METADATA).reverse()),
    clientSecretHash: sha256Hex(`${clientId}-secret-0123456789`),
    clientSecretExpiresAt: '0' as unknown as number,
    registrationTokenHash: 'b'.repeat(64),
    clientIdIssuedAt: '1700000000' as unknown as number,
    revision: 3,
    managed: true,
    managedBy: CLIENTS_FILE_MANAGER,
    trust: 'configuration',
    ...overrides,
  });
}

const summary = (plan: ReturnType<typeof planDeclaredClients>) => ({
  changes: plan.changes.map((c) => `${c.kind} ${c.client.clientId}`),
  unchanged: plan.unchanged,
  kept: plan.kept,
});

describe('planDeclaredClients', () => {
  it('creates a missing client: revision 1, managed by the file, secret hash only, an unknown registration token', () => {
    const plan = planDeclaredClients([declared('billing')], [], { prune: false, now: NOW });
    assert.deepEqual(summary(plan), { changes: ['created billing'], unchanged: [], kept: [] });
    const client = plan.changes[0]!.client;
    assert.equal(client.revision, 1);
    assert.equal(client.managed, true);
    assert.equal(client.managedBy, CLIENTS_FILE_MANAGER);
    assert.equal(client.clientSecretHash, sha256Hex('billing-secret-0123456789'));
    assert.equal(client.clientSecretExpiresAt, 0);
    assert.equal(client.clientIdIssuedAt, Math.floor(NOW.getTime() / 1000));
    assert.match(client.registrationTokenHash, /^[0-9a-f]{64}$/);
    assert.deepEqual(client.metadata, METADATA);
  });

  it('leaves a stored client that matches alone, whatever jsonb did to its key order', () => {
    assert.deepEqual(summary(planDeclaredClients([declared('billing')], [stored('billing')], { prune: true, now: NOW })), { changes: [], unchanged: ['billing'], kept: [] });
  });

  const updates: Array<[string, DeclaredClient, ClientEntity]> = [
    ['a changed scope', declared('billing', { metadata: { ...METADATA, scope: 'system/Observation.rs' } }), stored('billing')],
    ['a rotated secret', declared('billing', { clientSecretHash: sha256Hex('rotated-secret-0123456789') }), stored('billing')],
    ['a secret expiry set behind its back', declared('billing'), stored('billing', { clientSecretExpiresAt: 5 })],
    ['an array order change', declared('billing', { metadata: { ...METADATA, grant_types: ['client_credentials'], contacts: ['b@x.example', 'a@x.example'] } }), stored('billing', { metadata: { ...METADATA, contacts: ['a@x.example', 'b@x.example'] } })],
  ];
  for (const [name, wanted, row] of updates) {
    it(`updates ${name}, bumping the revision and keeping the registration token`, () => {
      const plan = planDeclaredClients([wanted], [row], { prune: false, now: NOW });
      assert.deepEqual(summary(plan).changes, ['updated billing']);
      const change = plan.changes[0]!;
      assert.equal(change.kind, 'updated');
      assert.equal(change.client.revision, 4);
      assert.equal(change.client.registrationTokenHash, 'b'.repeat(64));
      assert.equal(change.client.clientSecretHash, wanted.clientSecretHash);
      assert.equal(change.client.clientSecretExpiresAt, 0);
      assert.deepEqual(change.client.metadata, wanted.metadata);
      assert.equal(Number(change.client.clientIdIssuedAt), 1700000000, 'the issue date stays');
      assert.equal(isTakeover(change), false);
    });
  }

  it('takes over a client registered through /register under a declared id, revoking its registration token', () => {
    const plan = planDeclaredClients([declared('billing')], [stored('billing', { managed: false, managedBy: null })], { prune: true, now: NOW });
    const change = plan.changes[0]!;
    assert.equal(change.kind, 'updated');
    assert.equal(isTakeover(change), true);
    assert.equal(change.client.managed, true);
    assert.equal(change.client.managedBy, CLIENTS_FILE_MANAGER);
    assert.notEqual(change.client.registrationTokenHash, 'b'.repeat(64));
  });

  it('takes over a former administrator client under a declared id', () => {
    const change = planDeclaredClients([declared('old-admin')], [stored('old-admin', { managedBy: ADMIN_MANAGER })], { prune: false, now: NOW }).changes[0]!;
    assert.equal(change.kind, 'updated');
    assert.equal(change.client.managedBy, CLIENTS_FILE_MANAGER);
  });

  it('keeps a client gone from the file unless pruning, and deletes it when pruning', () => {
    const rows = [stored('billing'), stored('gone-a'), stored('gone-b')];
    assert.deepEqual(summary(planDeclaredClients([declared('billing')], rows, { prune: false, now: NOW })), { changes: [], unchanged: ['billing'], kept: ['gone-a', 'gone-b'] });
    assert.deepEqual(summary(planDeclaredClients([declared('billing')], rows, { prune: true, now: NOW })), { changes: ['deleted gone-a', 'deleted gone-b'], unchanged: ['billing'], kept: [] });
  });

  it('never deletes a client it does not own, even when pruning', () => {
    const rows = [stored('registered', { managed: false, managedBy: null }), stored('admin', { managedBy: ADMIN_MANAGER })];
    assert.deepEqual(summary(planDeclaredClients([], rows, { prune: true, now: NOW })), { changes: [], unchanged: [], kept: [] });
  });

  it('lists every change in client_id order, whatever the order of the file', () => {
    const plan = planDeclaredClients([declared('zeta'), declared('alpha'), declared('mid')], [stored('beta'), stored('mid', { revision: 1, clientSecretHash: null })], { prune: true, now: NOW });
    assert.deepEqual(summary(plan).changes, ['created alpha', 'deleted beta', 'updated mid', 'created zeta']);
  });
});
