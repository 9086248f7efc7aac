import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { exportSPKI } from 'jose';
import { sharedSuite, type RunningSuite } from '#testing';
import { clientKey, signAssertion } from './support/client-keys.js';
import { assertInactive, assertOAuthError, basicAuth, bearer, call, eventually, introspect, machineClient, registerAnonymously, tokenRequest } from './support/http.js';
import { adminToken } from './support/people.js';

/** Issue #16: the app directory's admin API (registration service behind the gateway). */
describe('app directory admin API: register, edit, disable, enable, rotate, search', () => {
  let suite: RunningSuite & { owned: boolean };
  let admin: string;
  const adminCall = (path: string, init: RequestInit & { json?: unknown } = {}) => {
    const { json, ...rest } = init;
    return call(suite, path, {
      ...rest,
      headers: { authorization: bearer(admin), ...(json !== undefined ? { 'content-type': 'application/json' } : {}), ...(rest.headers ?? {}) },
      ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
    });
  };
  const secretToken = (clientId: string, secret: string) => tokenRequest(suite, { grant_type: 'client_credentials' }, { authorization: basicAuth(clientId, secret) });

  before(async () => {
    suite = await sharedSuite();
    admin = await adminToken(suite);
  });
  after(async () => {
    if (suite?.owned) await suite.stop();
  });

  it("registers the seed's four shapes as an administrator, who vouches for their privileges", async () => {
    const tag = crypto.randomUUID().slice(0, 8);
    const shapes = [
      { client_id: `InfPub-${tag}`, token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], client_name: 'Drummond Inferno Public', redirect_uris: ['https://inferno.healthit.gov/suites/custom/smart/redirect'], launch_uri: 'https://inferno.healthit.gov/suites/custom/smart/launch', client_uri: 'https://inferno.healthit.gov/suites', scope: 'launch/patient openid fhirUser offline_access patient/*.rs' },
      { client_id: `DrummINF-${tag}`, token_endpoint_auth_method: 'client_secret_post', grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], client_name: 'Drummond Inferno Test Suite', redirect_uris: ['https://inferno.healthit.gov/suites/custom/smart/redirect'], client_uri: 'https://inferno.healthit.gov/suites', scope: 'launch/patient openid fhirUser offline_access patient/*.rs user/*.rs', launch_uri: 'https://inferno.healthit.gov/suites/custom/smart/launch' },
      { client_id: `InfAsym-${tag}`, token_endpoint_auth_method: 'private_key_jwt', grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], client_name: 'Drummond Inferno Asymmetric Client', redirect_uris: ['https://inferno.healthit.gov/suites/custom/smart/redirect'], scope: 'launch/patient openid fhirUser offline_access patient/*.rs', jwks_uri: 'https://inferno.healthit.gov/.well-known/jwks.json' },
      { client_id: `BulkFHIR-${tag}`, token_endpoint_auth_method: 'private_key_jwt', grant_types: ['client_credentials'], client_name: 'Drummond Inferno Bulk Data Client', scope: 'system/*.rs', jwks_uri: 'https://inferno.healthit.gov/.well-known/jwks.json' },
    ];
    for (const shape of shapes) {
      const reply = await adminCall('/admin/clients', { method: 'POST', json: shape });
      assert.equal(reply.status, 201, reply.text);
      assert.equal(reply.json.client_id, shape.client_id);
      assert.equal(reply.json.privileges_pending, undefined, 'nothing waits: the administrator vouched');
      assert.equal(typeof reply.json.registration_access_token, 'string');
      assert.equal(reply.json.client_secret !== undefined, shape.token_endpoint_auth_method === 'client_secret_post');
      const shown = await adminCall(`/admin/clients/${shape.client_id}`);
      assert.equal(shown.json.trust, 'administrator');
      assert.equal(shown.json.status, 'approved');
    }
    const listed = await adminCall(`/admin/clients?q=${tag}&has_launch_uri=true`);
    assert.equal(listed.status, 200, listed.text);
    assert.deepEqual((listed.json.clients as Array<{ client_id: string }>).map((c) => c.client_id).sort(), [`DrummINF-${tag}`, `InfPub-${tag}`]);
    assert.equal(listed.json.total, 2);
    const bulk = await adminCall(`/admin/clients?q=bulkfhir-${tag}&grant_type=client_credentials&trust=administrator&status=approved`);
    assert.deepEqual((bulk.json.clients as Array<{ client_id: string }>).map((c) => c.client_id), [`BulkFHIR-${tag}`]);
  });

  it('takes a pasted PEM public key as the jwks, and the client then signs its assertions with it', async () => {
    const key = await clientKey('ES384');
    const pem = await exportSPKI(createPublicKey({ key: key.publicJwk as import('node:crypto').JsonWebKey, format: 'jwk' }));
    const reply = await adminCall('/admin/clients', { method: 'POST', json: { client_name: 'Pasted key', grant_types: ['client_credentials'], token_endpoint_auth_method: 'private_key_jwt', scope: 'system/*.rs', public_key: pem } });
    assert.equal(reply.status, 201, reply.text);
    const clientId = reply.json.client_id as string;
    const kid = ((reply.json.jwks as { keys: Array<{ kid: string }> }).keys[0]!).kid;
    const detail = await adminCall(`/admin/clients/${clientId}`);
    assert.deepEqual(detail.json.key_ids, [kid]);
    const assertion = await signAssertion({ ...key, kid }, clientId, `${suite.issuer}/token`);
    const token = await tokenRequest(suite, { grant_type: 'client_credentials', scope: 'system/Patient.rs', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion });
    assert.equal(token.status, 200, token.text);
    assertOAuthError(await adminCall('/admin/clients', { method: 'POST', json: { client_name: 'x', grant_types: ['client_credentials'], token_endpoint_auth_method: 'private_key_jwt', scope: 'system/*.rs', public_key: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----' } }), 400, 'invalid_client_metadata');
    assertOAuthError(await adminCall('/admin/clients', { method: 'POST', json: { redirect_uris: ['not a uri'], client_name: 'x' } }), 400, 'invalid_redirect_uri');
  });

  it('edits with RFC 7592 semantics: an added privilege waits for approval again, the rest stays usable', async () => {
    const client = await machineClient(suite, 'system/Patient.rs');
    const { client_secret: _s, registration_access_token: _r, registration_client_uri: _u, client_id_issued_at: _i, client_secret_expires_at: _e, ...metadata } = client as unknown as Record<string, unknown>;
    const edited = await adminCall(`/admin/clients/${client.client_id}`, { method: 'PUT', json: { ...metadata, client_name: 'Renamed', scope: 'system/Patient.rs system/Observation.rs' } });
    assert.equal(edited.status, 200, edited.text);
    assert.equal(edited.json.client_name, 'Renamed');
    assert.equal(edited.json.status, 'pending');
    assert.deepEqual(edited.json.privileges_pending, { scope: ['system/Observation.rs'], grant_types: [] });
    const token = await eventually(() => secretToken(client.client_id, client.client_secret!), (r) => r.status === 200 && r.json.scope === 'system/Patient.rs', 'the approved scope only');
    assert.equal(token.json.scope, 'system/Patient.rs');
    assertOAuthError(await adminCall(`/admin/clients/${client.client_id}`, { method: 'PUT', json: { ...metadata, client_id: 'other' } }), 400, 'invalid_client_metadata', 'client_id mismatch');
    assertOAuthError(await adminCall(`/admin/clients/${client.client_id}`, { method: 'PUT', json: { ...metadata, registration_access_token: 'x' } }), 400, 'invalid_client_metadata', 'server-controlled field');
    assertOAuthError(await adminCall(`/admin/clients/${client.client_id}`, { method: 'PUT', json: { ...metadata, scope: 'admin' } }), 400, 'invalid_client_metadata', 'reserved scope');
  });

  it('disables a client (invalid_client, tokens inactive, RFC 7592 refused) and enables it again (the same token works)', async () => {
    const client = await machineClient(suite);
    const before = await secretToken(client.client_id, client.client_secret!);
    assert.equal(before.status, 200, before.text);
    const adminAuth = basicAuth(suite.adminClientId, suite.adminClientSecret);
    const disabled = await adminCall(`/admin/clients/${client.client_id}/disable`, { method: 'POST' });
    assert.equal(disabled.status, 200, disabled.text);
    assert.equal(disabled.json.status, 'disabled');
    assert.equal(typeof disabled.json.disabled_at, 'string');
    const refused = await eventually(() => secretToken(client.client_id, client.client_secret!), (r) => r.status === 401, 'token refused');
    assertOAuthError(refused, 401, 'invalid_client');
    await eventually(() => introspect(suite, before.json.access_token as string, adminAuth), (r) => r.json.active === false, 'token inactive');
    await assertInactive(introspect(suite, before.json.access_token as string, adminAuth));
    const listed = await adminCall(`/admin/clients?status=disabled&q=${client.client_id}`);
    assert.deepEqual((listed.json.clients as Array<{ client_id: string }>).map((c) => c.client_id), [client.client_id]);
    assertOAuthError(await call(suite, `/register/${client.client_id}`, { headers: { authorization: bearer(client.registration_access_token) } }), 401, 'invalid_token');

    const enabled = await adminCall(`/admin/clients/${client.client_id}/enable`, { method: 'POST' });
    assert.equal(enabled.json.status, 'approved');
    await eventually(() => introspect(suite, before.json.access_token as string, adminAuth), (r) => r.json.active === true, 'the same token active again');
    await eventually(() => secretToken(client.client_id, client.client_secret!), (r) => r.status === 200, 'tokens again');
    const audit = await eventually(() => adminCall(`/admin/clients/${client.client_id}`), (r) => ((r.json.recent_events ?? []) as Array<{ type: string }>).some((e) => e.type === 'client.enabled'), 'audit events');
    const events = (audit.json.recent_events as Array<{ type: string; actor?: string }>).filter((e) => e.type.startsWith('client.'));
    assert.deepEqual(events.map((e) => e.type).slice(0, 2), ['client.enabled', 'client.disabled'], 'newest first');
    assert.equal(events.find((e) => e.type === 'client.disabled')?.actor, `client:${suite.adminClientId}`);
  });

  it('rotates a secret: the new one is shown once and works, the old one is refused', async () => {
    const client = await machineClient(suite);
    const rotated = await adminCall(`/admin/clients/${client.client_id}/rotate-secret`, { method: 'POST' });
    assert.equal(rotated.status, 200, rotated.text);
    const secret = rotated.json.client_secret as string;
    assert.notEqual(secret, client.client_secret);
    await eventually(() => secretToken(client.client_id, client.client_secret!), (r) => r.status === 401, 'old secret refused');
    assert.equal((await secretToken(client.client_id, secret)).status, 200);
    assert.equal(JSON.stringify((await adminCall(`/admin/clients/${client.client_id}`)).json).includes(secret), false, 'never shown again');
    const pkj = await registerAnonymously(suite, { client_name: 'No secret', grant_types: ['client_credentials'], token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [(await clientKey('ES256')).publicJwk] }, scope: 'system/*.rs' });
    assertOAuthError(await adminCall(`/admin/clients/${pkj.client_id}/rotate-secret`, { method: 'POST' }), 400, 'invalid_request');
  });

  it('answers bad calls with spec-shaped errors', async () => {
    for (const action of ['disable', 'enable', 'rotate-secret']) {
      assertOAuthError(await adminCall(`/admin/clients/no-such-client/${action}`, { method: 'POST' }), 404, 'not_found', action);
      assertOAuthError(await call(suite, `/admin/clients/no-such-client/${action}`, { method: 'POST' }), 401, 'invalid_token', action);
      assertOAuthError(await adminCall(`/admin/clients/${suite.adminClientId}/${action}`, { method: 'POST' }), 400, 'invalid_request', `managed ${action}`);
    }
    assertOAuthError(await adminCall('/admin/clients/no-such-client', { method: 'PUT', json: { client_id: 'no-such-client' } }), 404, 'not_found');
    assertOAuthError(await adminCall('/admin/clients/x', { method: 'PUT', body: 'x', headers: { 'content-type': 'text/plain' } }), 400, 'invalid_request');
    assertOAuthError(await adminCall('/admin/clients?status=sleeping'), 400, 'invalid_request');
    assertOAuthError(await adminCall('/admin/clients?trust=friends'), 400, 'invalid_request');
    assertOAuthError(await adminCall('/admin/clients?has_launch_uri=maybe'), 400, 'invalid_request');
    assertOAuthError(await adminCall('/admin/clients', { method: 'POST', json: { public_key: 42 } }), 400, 'invalid_request');
    assertOAuthError(await adminCall('/admin/clients', { method: 'POST', json: { grant_types: 'x' } }), 400, 'invalid_client_metadata');
    const machine = await machineClient(suite);
    const plain = (await secretToken(machine.client_id, machine.client_secret!)).json.access_token as string;
    assertOAuthError(await call(suite, `/admin/clients/${machine.client_id}/disable`, { method: 'POST', headers: { authorization: bearer(plain) } }), 403, 'insufficient_scope');
  });
});
