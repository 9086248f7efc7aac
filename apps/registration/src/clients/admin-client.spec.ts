import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { secretMatchesHash, sha256Hex } from '#oauth';
import { ADMIN_MANAGER, CLIENTS_FILE_MANAGER, ClientEntity } from '../persistence/entities/client.entity.js';
import { ADMIN_METADATA, canonicalJson, reconcileAdminClient } from './admin-client.js';

const SECRET = 'admin-secret-0123456789';
const NOW = new Date('2026-01-01T00:00:00Z');

/** As PostgreSQL returns it: jsonb reorders keys, bigint columns are strings. */
function stored(overrides: Partial<ClientEntity> = {}): ClientEntity {
  const reordered = Object.fromEntries(Object.entries(ADMIN_METADATA).reverse());
  return Object.assign(new ClientEntity(), {
    clientId: 'admin',
    metadata: reordered,
    clientSecretHash: sha256Hex(SECRET),
    clientSecretExpiresAt: '0' as unknown as number,
    registrationTokenHash: 'b'.repeat(64),
    clientIdIssuedAt: '1700000000' as unknown as number,
    revision: 4,
    managed: true,
    managedBy: ADMIN_MANAGER,
    trust: 'configuration',
    ...overrides,
  });
}

describe('reconcileAdminClient', () => {
  it('creates the client with a hashed secret and a thrown-away registration token', () => {
    const client = reconcileAdminClient(null, 'admin', SECRET, NOW);
    assert.ok(client);
    assert.equal(client.clientId, 'admin');
    assert.deepEqual(client.metadata, ADMIN_METADATA);
    assert.ok(secretMatchesHash(SECRET, client.clientSecretHash!));
    assert.match(client.registrationTokenHash, /^[0-9a-f]{64}$/);
    assert.equal(client.clientIdIssuedAt, 1767225600);
    assert.equal(client.revision, 1);
    assert.equal(client.managed, true);
    assert.equal(client.managedBy, ADMIN_MANAGER);
  });

  it('changes nothing when the stored client is already right, whatever its key order', () => {
    assert.equal(reconcileAdminClient(stored(), 'admin', SECRET, NOW), null);
  });

  const changes: Array<[string, Partial<ClientEntity>]> = [
    ['a changed secret', { clientSecretHash: sha256Hex('the-old-admin-secret') }],
    ['edited metadata', { metadata: { ...ADMIN_METADATA, scope: 'introspect' } }],
    ['a secret expiry', { clientSecretExpiresAt: 5 }],
    ['a client the clients file declared', { managedBy: CLIENTS_FILE_MANAGER }],
    ['a row not yet marked as trusted by configuration', { trust: 'anonymous' }],
  ];
  for (const [name, overrides] of changes) {
    it(`updates ${name} and bumps the revision, keeping the registration token`, () => {
      const client = reconcileAdminClient(stored(overrides), 'admin', SECRET, NOW);
      assert.ok(client);
      assert.ok(secretMatchesHash(SECRET, client.clientSecretHash!));
      assert.deepEqual(client.metadata, ADMIN_METADATA);
      assert.equal(client.clientSecretExpiresAt, 0);
      assert.equal(client.revision, 5);
      assert.equal(client.managedBy, ADMIN_MANAGER);
      assert.equal(client.trust, 'configuration');
      assert.equal(client.registrationTokenHash, 'b'.repeat(64));
    });
  }

  it('takes over a client registered under the same id, revoking its registration token', () => {
    const client = reconcileAdminClient(stored({ managed: false, managedBy: null }), 'admin', SECRET, NOW);
    assert.ok(client);
    assert.equal(client.managed, true);
    assert.equal(client.managedBy, ADMIN_MANAGER);
    assert.notEqual(client.registrationTokenHash, 'b'.repeat(64));
    assert.equal(client.revision, 5);
    assert.equal(client.trust, 'configuration', 'trusted as configured (trust tiers)');
    assert.equal(client.approvalStatus, 'approved');
  });
});

describe('canonicalJson', () => {
  it('ignores object key order, not array order', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [2, 1], c: null } }), canonicalJson({ a: { c: null, d: [2, 1] }, b: 1 }));
    assert.notEqual(canonicalJson({ a: [1, 2] }), canonicalJson({ a: [2, 1] }));
  });
});
