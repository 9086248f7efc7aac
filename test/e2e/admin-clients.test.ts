import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sharedSuite, type RunningSuite } from '#testing';
import { assertOAuthError, basicAuth, call, introspect, machineClient, manage, tokenFor } from './support/http.js';
import { adminToken } from './support/people.js';

describe('client directory administration (GET/DELETE /admin/clients)', () => {
  let suite: RunningSuite & { owned: boolean };
  let admin: string;
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  before(async () => {
    suite = await sharedSuite();
    admin = await adminToken(suite);
  });
  after(async () => {
    if (suite?.owned) await suite.stop();
  });

  it('lists clients page by page, never with a secret or a registration access token', async () => {
    const created = [await machineClient(suite), await machineClient(suite), await machineClient(suite)];
    const seen = new Map<string, Record<string, unknown>>();
    for (let offset = 0; ; offset += 2) {
      const page = await call(suite, `/admin/clients?limit=2&offset=${offset}`, { headers: bearer(admin) });
      assert.equal(page.status, 200, page.text);
      assert.equal(page.headers.get('cache-control'), 'no-store');
      assert.equal(page.json.limit, 2);
      assert.equal(page.json.offset, offset);
      const clients = page.json.clients as Array<Record<string, unknown>>;
      assert.ok(clients.length <= 2);
      for (const c of clients) {
        assert.equal(seen.has(c.client_id as string), false, 'pages do not overlap');
        seen.set(c.client_id as string, c);
      }
      if (clients.length < 2) break;
    }
    for (const c of created) {
      const listed = seen.get(c.client_id);
      assert.ok(listed, `${c.client_id} is listed`);
      assert.equal(listed.managed, false);
      assert.equal(listed.scope, 'system/Patient.rs system/Observation.rs');
      assert.equal(typeof listed.created_at, 'string');
    }
    assert.equal(seen.get(suite.adminClientId)?.managed, true, 'the bootstrap administrator is listed as managed');
    const text = JSON.stringify([...seen.values()]);
    for (const c of created) {
      assert.equal(text.includes(c.client_secret!), false, 'no client secret');
      assert.equal(text.includes(c.registration_access_token), false, 'no registration access token');
    }
    assert.doesNotMatch(text, /client_secret"|registration_access_token|_hash/);
  });

  it('shows one client, and deletes it: client.deleted makes its tokens inactive and RFC 7592 management fails', async () => {
    const client = await machineClient(suite);
    const token = await tokenFor(suite, client);
    const shown = await call(suite, `/admin/clients/${client.client_id}`, { headers: bearer(admin) });
    assert.equal(shown.status, 200, shown.text);
    assert.equal(shown.json.client_id, client.client_id);
    assert.equal(shown.json.client_secret, undefined);
    assert.equal(shown.json.registration_access_token, undefined);

    const deleted = await call(suite, `/admin/clients/${client.client_id}`, { method: 'DELETE', headers: bearer(admin) });
    assert.equal(deleted.status, 204, deleted.text);
    assertOAuthError(await call(suite, `/admin/clients/${client.client_id}`, { headers: bearer(admin) }), 404, 'not_found');
    assertOAuthError(await call(suite, `/admin/clients/${client.client_id}`, { method: 'DELETE', headers: bearer(admin) }), 404, 'not_found');
    assertOAuthError(await manage(suite, client.client_id, 'GET', client.registration_access_token), 401, 'invalid_token');
    const adminAuth = basicAuth(suite.adminClientId, suite.adminClientSecret);
    // The event reaches the introspection service asynchronously: wait until it has been heard.
    let active = true;
    for (let i = 0; i < 50 && active; i++) {
      active = (await introspect(suite, token, adminAuth)).json.active === true;
      if (active) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(active, false, 'the deleted client’s token is inactive');
  });

  it('refuses what it should, with OAuth errors', async () => {
    const machine = await machineClient(suite);
    const plain = await tokenFor(suite, machine);
    assertOAuthError(await call(suite, '/admin/clients'), 401, 'invalid_token', 'no token');
    assertOAuthError(await call(suite, '/admin/clients', { headers: bearer('not-a-token') }), 401, 'invalid_token', 'garbage token');
    assertOAuthError(await call(suite, '/admin/clients', { headers: bearer(plain) }), 403, 'insufficient_scope', 'no admin scope');
    assertOAuthError(await call(suite, `/admin/clients/${machine.client_id}`, { method: 'DELETE', headers: bearer(plain) }), 403, 'insufficient_scope');
    assertOAuthError(await call(suite, '/admin/clients?limit=ten', { headers: bearer(admin) }), 400, 'invalid_request', 'bad limit');
    assertOAuthError(await call(suite, '/admin/clients?limit=1&limit=2', { headers: bearer(admin) }), 400, 'invalid_request', 'repeated limit');
    assertOAuthError(await call(suite, '/admin/clients?sort=name', { headers: bearer(admin) }), 400, 'invalid_request', 'unknown parameter');
    assertOAuthError(await call(suite, `/admin/clients/${'x'.repeat(200)}`, { headers: bearer(admin) }), 414, 'invalid_request', 'oversized id (the edge refuses it)');
    assertOAuthError(await call(suite, '/admin/clients/no%20such', { headers: bearer(admin) }), 404, 'not_found');
    assertOAuthError(await call(suite, `/admin/clients/${suite.adminClientId}`, { method: 'DELETE', headers: bearer(admin) }), 400, 'invalid_request', 'managed client');
    assert.equal((await call(suite, `/admin/clients/${suite.adminClientId}`, { headers: bearer(admin) })).json.managed, true, 'still there');
    const patch = await call(suite, `/admin/clients/${machine.client_id}`, { method: 'PATCH', headers: bearer(admin) });
    assert.equal(patch.status, 405, patch.text);
  });
});
