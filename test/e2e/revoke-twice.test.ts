import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import { sharedSuite, type RunningSuite } from '#testing';
import { browse, csrfOf, obtainCode, postForm, type CookieJar } from './support/form-flow.js';
import { basicAuth, bearer, call, machineClient, register, revoke, tokenFor, tokenRequest, type RegisteredClient, type Reply } from './support/http.js';
import { adminToken, createUser, type TestUser } from './support/people.js';

const CALLBACK = 'https://revoke-twice.example/callback';
const SCOPE = 'launch/patient openid fhirUser offline_access patient/*.rs';
const TIMEOUT_MS = 15_000;

interface StoredEvent {
  event: { id: string; type: string; data: Record<string, unknown> };
}

/**
 * Issue #13: revoking what is already revoked succeeds as before, without a
 * second `grant.revoked` / `token.revoked` (a new event for the same
 * revocation would tell every consumer of the stream it happened twice).
 * Counted in the audit trail, which stores every event of the stream once.
 */
describe('revoking twice publishes one event', () => {
  let suite: RunningSuite & { owned: boolean };
  let admin: string;
  let person: TestUser;
  let app: RegisteredClient;
  const appAuth = () => basicAuth(app.client_id, app.client_secret!);
  const adminHeaders = () => ({ authorization: bearer(admin) });

  async function launch(client: RegisteredClient): Promise<{ access: string; refresh: string; grantId: string; jar: CookieJar }> {
    const { code, verifier, jar } = await obtainCode(suite, { client_id: client.client_id, redirect_uri: CALLBACK, scope: SCOPE }, { username: person.username, password: person.password });
    const tokens = await tokenRequest(suite, { grant_type: 'authorization_code', code, redirect_uri: CALLBACK, code_verifier: verifier }, { authorization: basicAuth(client.client_id, client.client_secret!) });
    assert.equal(tokens.status, 200, tokens.text);
    const access = tokens.json.access_token as string;
    return { access, refresh: tokens.json.refresh_token as string, grantId: String(decodeJwt(access).grant_id), jar };
  }

  const registerApp = (name: string) =>
    register(suite, { client_name: name, redirect_uris: [CALLBACK], token_endpoint_auth_method: 'client_secret_basic', grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], scope: SCOPE });

  /** Every stored event of a type and client (a page is enough here). */
  async function stored(type: string, clientId: string): Promise<StoredEvent[]> {
    const reply = await call(suite, `/admin/audit?client_id=${encodeURIComponent(clientId)}&type=${type}&limit=100`, { headers: adminHeaders() });
    assert.equal(reply.status, 200, reply.text);
    return reply.json.events as StoredEvent[];
  }

  /**
   * Published after everything the test did, so once it is in the trail so is every event before it (one
   * stream, read in order by the audit consumer): nothing late can still come and change a count.
   */
  async function trailCaughtUp(): Promise<void> {
    const sentinel = await machineClient(suite);
    const jti = String(decodeJwt(await tokenFor(suite, sentinel)).jti);
    const deadline = Date.now() + TIMEOUT_MS;
    while (!(await stored('token.issued', sentinel.client_id)).some((e) => e.event.data.jti === jti)) {
      assert.ok(Date.now() < deadline, 'the sentinel event reached the audit trail');
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  const count = (events: StoredEvent[], field: string, value: string) => events.filter((e) => e.event.data[field] === value).length;

  before(async () => {
    suite = await sharedSuite();
    admin = await adminToken(suite);
    person = await createUser(suite, admin, { fhirUser: 'Patient/pt-twice', display_name: 'Terry Twice' });
    app = await registerApp('Revoke Twice App');
  });
  after(async () => {
    if (suite?.owned) await suite.stop();
  });

  it('a grant at DELETE /admin/grants/:id, at /account, through its refresh token at /revoke, and with revoke-all; an access token at /revoke', async () => {
    // DELETE /admin/grants/:id, twice.
    const byAdmin = await launch(app);
    for (let i = 0; i < 2; i++) {
      const reply = await call(suite, `/admin/grants/${byAdmin.grantId}`, { method: 'DELETE', headers: adminHeaders() });
      assert.equal(reply.status, 204, `DELETE ${i + 1}: ${reply.text}`);
    }

    // The person at /account, twice (the second time the grant is gone from the list: same answer, nothing revoked again).
    const byPerson = await launch(app);
    const page = await browse(suite, byPerson.jar, '/account');
    assert.equal(page.status, 200, page.text.slice(0, 300));
    const csrf = csrfOf(page.text);
    for (let i = 0; i < 2; i++) {
      const reply = await postForm(suite, byPerson.jar, `/account/grants/${byPerson.grantId}/revoke`, { csrf });
      assert.equal(reply.status, 303, `/account revocation ${i + 1}: ${reply.text.slice(0, 300)}`);
    }

    // RFC 7009 §2.1: the client revokes its refresh token (and so its grant), twice.
    const byRefreshToken = await launch(app);
    for (let i = 0; i < 2; i++) {
      const reply = await revoke(suite, byRefreshToken.refresh, appAuth(), { token_type_hint: 'refresh_token' });
      assert.equal(reply.status, 200, `/revoke ${i + 1}: ${reply.text}`);
    }

    // Every grant of another client at once, twice.
    const other = await registerApp('Revoke Twice Other App');
    const all = [await launch(other), await launch(other)];
    const counts: number[] = [];
    for (let i = 0; i < 2; i++) {
      const reply: Reply = await call(suite, `/admin/clients/${other.client_id}/revoke-all`, { method: 'POST', headers: adminHeaders() });
      assert.equal(reply.status, 200, `revoke-all ${i + 1}: ${reply.text}`);
      counts.push(reply.json.revoked_grants as number);
    }
    assert.deepEqual(counts, [2, 0]);

    // RFC 7009 §2.2: an access token revoked twice is 200 both times.
    const machine = await machineClient(suite);
    const accessToken = await tokenFor(suite, machine);
    for (let i = 0; i < 2; i++) assert.equal((await revoke(suite, accessToken, basicAuth(machine.client_id, machine.client_secret!))).status, 200);

    await trailCaughtUp();
    const grantRevoked = await stored('grant.revoked', app.client_id);
    for (const [how, grantId] of [['DELETE /admin/grants/:id', byAdmin.grantId], ['/account', byPerson.grantId], ['/revoke of the refresh token', byRefreshToken.grantId]] as const) {
      assert.equal(count(grantRevoked, 'grant_id', grantId), 1, `${how}: one grant.revoked`);
    }
    const otherRevoked = await stored('grant.revoked', other.client_id);
    for (const grant of all) assert.equal(count(otherRevoked, 'grant_id', grant.grantId), 1, 'revoke-all: one grant.revoked per grant');
    assert.equal(count(await stored('token.revoked', machine.client_id), 'jti', String(decodeJwt(accessToken).jti)), 1, '/revoke of an access token: one token.revoked');
  });
});
