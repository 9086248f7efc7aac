import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ClientMetadata } from '#contracts';
import { JWT_BEARER_GRANT_TYPE } from '#oauth';
import { ClientEntity } from '../persistence/entities/client.entity.js';
import { ANONYMOUS, CONFIGURATION, decidePending, privilegeFields, withheldPrivileges, type Vouch } from './client-trust.js';

function metadata(scope: string, grantTypes = ['client_credentials']): ClientMetadata {
  return { redirect_uris: [], token_endpoint_auth_method: 'client_secret_basic', grant_types: grantTypes, response_types: [], scope };
}

function entityOf(md: ClientMetadata, vouch: Vouch): ClientEntity {
  return Object.assign(new ClientEntity(), { clientId: 'c', metadata: md, managed: false, revision: 1 }, privilegeFields(md, vouch));
}

const NONE = { scope: [], grant_types: [] };

describe('trust tiers at registration', () => {
  it('anonymous: every privilege waits; what a person approves does not', () => {
    const md = metadata('system/*.rs introspect launch patient/*.rs openid', ['client_credentials', JWT_BEARER_GRANT_TYPE]);
    const fields = privilegeFields(md, ANONYMOUS);
    assert.equal(fields.trust, 'anonymous');
    assert.equal(fields.approvalStatus, 'pending');
    assert.deepEqual(withheldPrivileges(entityOf(md, ANONYMOUS)).pending, { scope: ['system/*.rs', 'introspect', 'launch'], grant_types: [JWT_BEARER_GRANT_TYPE] });
  });

  it('anonymous without privileges: nothing waits', () => {
    assert.equal(privilegeFields(metadata('launch/patient openid fhirUser patient/*.rs offline_access', ['authorization_code']), ANONYMOUS).approvalStatus, 'approved');
  });

  it('an initial access token vouches for what it was configured with, by scope coverage', () => {
    const md = metadata('system/Patient.rs introspect');
    const c = entityOf(md, { trust: 'initial-access-token', privileges: { scope: ['system/*.rs'], grant_types: [] } });
    assert.equal(c.trust, 'initial-access-token');
    assert.deepEqual(withheldPrivileges(c).pending, { scope: ['introspect'], grant_types: [] });
    assert.equal(c.approvalStatus, 'pending');
  });

  it('configuration and auto-approve: nothing waits', () => {
    const md = metadata('system/*.rs introspect');
    assert.deepEqual(withheldPrivileges(entityOf(md, CONFIGURATION)).pending, NONE);
    assert.deepEqual(withheldPrivileges(entityOf(md, { trust: 'auto-approve', privileges: 'all' })).pending, NONE);
  });
});

describe('trust tiers on an RFC 7592 update', () => {
  const approved = entityOf(metadata('system/*.rs'), { trust: 'initial-access-token', privileges: 'all' });

  it('keeps an approval that covers what is asked now', () => {
    const narrower = privilegeFields(metadata('system/Patient.rs'), ANONYMOUS, approved);
    assert.equal(narrower.approvalStatus, 'approved');
    assert.equal(narrower.trust, 'initial-access-token', 'the tier it was registered with stays');
  });

  it('never adds a privilege without a new approval', () => {
    const wider = privilegeFields(metadata('system/*.cruds introspect'), ANONYMOUS, approved);
    assert.equal(wider.approvalStatus, 'pending');
    const c = Object.assign(new ClientEntity(), approved, { metadata: metadata('system/*.cruds introspect') }, wider);
    assert.deepEqual(withheldPrivileges(c).pending, { scope: ['system/*.cruds', 'introspect'], grant_types: [] });
  });

  it('does not bring back an approval once the privilege was dropped', () => {
    const dropped = Object.assign(new ClientEntity(), approved, { metadata: metadata('launch') }, privilegeFields(metadata('launch'), ANONYMOUS, approved));
    const back = privilegeFields(metadata('system/*.rs'), ANONYMOUS, dropped);
    assert.equal(back.approvalStatus, 'pending');
  });

  it('keeps a refused privilege refused while it is still asked for', () => {
    const asked = entityOf(metadata('system/*.rs'), ANONYMOUS);
    const outcome = decidePending(asked, 'reject', 'all');
    assert.ok('fields' in outcome);
    const refused = Object.assign(new ClientEntity(), asked, outcome.fields);
    assert.equal(refused.approvalStatus, 'rejected');
    assert.equal(privilegeFields(metadata('system/*.rs'), ANONYMOUS, refused).approvalStatus, 'rejected');
  });
});

describe('an administrator deciding on pending privileges', () => {
  const asked = entityOf(metadata('system/*.rs introspect launch'), ANONYMOUS);

  it('approves all, or some and leaves the rest pending', () => {
    const all = decidePending(asked, 'approve', 'all');
    assert.ok('fields' in all);
    assert.equal(all.fields.approvalStatus, 'approved');
    assert.deepEqual(all.decided, { scope: ['system/*.rs', 'introspect', 'launch'], grant_types: [] });
    const some = decidePending(asked, 'approve', { scope: ['introspect'], grant_types: [] });
    assert.ok('fields' in some);
    assert.equal(some.fields.approvalStatus, 'pending');
    const after = Object.assign(new ClientEntity(), asked, some.fields);
    assert.deepEqual(withheldPrivileges(after).pending, { scope: ['system/*.rs', 'launch'], grant_types: [] });
  });

  it('refuses to decide on what is not pending', () => {
    assert.deepEqual(decidePending(asked, 'approve', { scope: ['system/Patient.rs'], grant_types: [] }), { notPending: 'system/Patient.rs' });
  });

  it('decides nothing when nothing is pending', () => {
    const done = decidePending(entityOf(metadata('system/*.rs'), CONFIGURATION), 'approve', 'all');
    assert.ok('decided' in done);
    assert.deepEqual(done.decided, NONE);
  });
});
