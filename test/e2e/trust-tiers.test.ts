import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT } from 'jose';
import { sharedSuite, startSuite, type RunningSuite } from '#testing';
import { clientKey, JwksServer, signAssertion } from './support/client-keys.js';
import {
  assertOAuthError,
  basicAuth,
  bearer,
  call,
  introspect,
  machineClient,
  manage,
  postRegistration,
  registerAnonymously,
  seedBulkClient,
  tokenFor,
  tokenRequest,
  type RegisteredClient,
} from './support/http.js';
import { adminToken } from './support/people.js';

/**
 * Trust tiers (issue #13): an anonymous registrant may register privileges
 * (`system/…`, `introspect`, `launch`, the JWT bearer grant) but uses none of
 * them until an administrator approves; an initial access token or a trusted
 * software statement vouches for them at once.
 */
describe('trust tiers: anonymous registration and the approval API', () => {
  let suite: RunningSuite & { owned: boolean };
  let admin: string;
  const adminCall = (path: string, init: RequestInit = {}) => call(suite, path, { ...init, headers: { authorization: bearer(admin), ...(init.headers ?? {}) } });
  const approve = (clientId: string, body?: unknown) =>
    adminCall(`/admin/clients/${clientId}/approve`, body === undefined ? { method: 'POST' } : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const reject = (clientId: string, body?: unknown) =>
    adminCall(`/admin/clients/${clientId}/reject`, body === undefined ? { method: 'POST' } : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const secretToken = (client: RegisteredClient, scope?: string) =>
    tokenRequest(suite, { grant_type: 'client_credentials', ...(scope ? { scope } : {}) }, { authorization: basicAuth(client.client_id, client.client_secret!) });
  const auditTypes = async (clientId: string): Promise<string[]> => {
    const page = await adminCall(`/admin/audit?client_id=${clientId}`);
    assert.equal(page.status, 200, page.text);
    return (page.json.events as Array<{ event: { type: string } }>).map((e) => e.event.type);
  };
  /** The audit trail is written asynchronously (JetStream → PostgreSQL). */
  const eventually = async (check: () => Promise<boolean>, what: string) => {
    for (let i = 0; i < 100; i++) {
      if (await check()) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.fail(`never happened: ${what}`);
  };

  before(async () => {
    suite = await sharedSuite();
    admin = await adminToken(suite);
  });
  after(async () => {
    if (suite?.owned) await suite.stop();
  });

  it("registers the seed's Bulk Client anonymously (201, the seed's body) but gives it no system token until approved", async () => {
    const key = await clientKey('ES384');
    const reply = await postRegistration(suite, {
      client_name: 'Bulk Client',
      grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [key.publicJwk] },
      scope: 'system/*.rs',
    });
    assert.equal(reply.status, 201, reply.text);
    assert.equal(reply.json.scope, 'system/*.rs', 'the registered scope is echoed as asked');
    assert.equal(reply.json.token_endpoint_auth_method, 'private_key_jwt');
    assert.deepEqual(reply.json.privileges_pending, { scope: ['system/*.rs'], grant_types: [] });
    const clientId = reply.json.client_id as string;
    const ask = async () =>
      tokenRequest(suite, {
        grant_type: 'client_credentials',
        scope: 'system/Patient.rs',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: await signAssertion(key, clientId, `${suite.issuer}/token`),
      });
    const refused = await ask();
    assertOAuthError(refused, 400, 'invalid_scope');
    assert.match(refused.json.error_description as string, /awaits an administrator's approval/);
    assert.equal(refused.json.access_token, undefined);

    const pending = await adminCall('/admin/clients?status=pending&limit=1000');
    assert.equal(pending.status, 200, pending.text);
    const listed = (pending.json.clients as Array<Record<string, unknown>>).find((c) => c.client_id === clientId);
    assert.ok(listed, 'listed as pending');
    assert.equal(listed.status, 'pending');
    assert.equal(listed.trust, 'anonymous');
    assert.deepEqual(listed.privileges_pending, { scope: ['system/*.rs'], grant_types: [] });

    const approved = await approve(clientId);
    assert.equal(approved.status, 200, approved.text);
    assert.equal(approved.json.status, 'approved');
    assert.deepEqual(approved.json.privileges_approved, { scope: ['system/*.rs'], grant_types: [] });
    const granted = await ask();
    assert.equal(granted.status, 200, granted.text);
    assert.equal(granted.json.scope, 'system/Patient.rs');
    await eventually(async () => (await auditTypes(clientId)).includes('client.approved'), 'client.approved in the audit trail');
    const listedAfter = await adminCall('/admin/clients?status=pending&limit=1000');
    assert.equal((listedAfter.json.clients as Array<{ client_id: string }>).some((c) => c.client_id === clientId), false, 'no longer pending');
  });

  it("the seed's exact Bulk Client request (requested client_id, jwks_uri) answers 201 with the seed's fields, its system scope pending", async () => {
    const clientId = `BulkFHIR-${crypto.randomUUID().slice(0, 8)}`;
    const reply = await postRegistration(suite, seedBulkClient(clientId));
    assert.equal(reply.status, 201, reply.text);
    for (const [name, value] of Object.entries({
      client_id: clientId,
      token_endpoint_auth_method: 'private_key_jwt',
      grant_types: ['client_credentials'],
      client_name: 'Drummond Inferno Bulk Data Client',
      jwks_uri: 'https://inferno.healthit.gov/.well-known/jwks.json',
      client_uri: 'https://inferno.healthit.gov/suites',
      scope: 'system/*.rs',
      registration_client_uri: `${suite.issuer}/register/${clientId}`,
    })) {
      assert.deepEqual(reply.json[name], value, name);
    }
    assert.equal(typeof reply.json.registration_access_token, 'string');
    assert.equal(typeof reply.json.client_id_issued_at, 'number');
    assert.deepEqual(reply.json.privileges_pending, { scope: ['system/*.rs'], grant_types: [] });
  });

  it('a client_secret_basic backend with no scope parameter: invalid_scope while pending, a token once approved', async () => {
    const client = await registerAnonymously(suite, { grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic', scope: 'system/*.rs' });
    const refused = await secretToken(client);
    assertOAuthError(refused, 400, 'invalid_scope');
    assert.match(refused.json.error_description as string, /approval/);
    assert.equal((await approve(client.client_id)).status, 200);
    const granted = await secretToken(client);
    assert.equal(granted.status, 200, granted.text);
    assert.equal(granted.json.scope, 'system/*.rs');
  });

  it('introspect: a pending client sees only its own tokens; approved, it sees every token', async () => {
    const other = await machineClient(suite);
    const othersToken = await tokenFor(suite, other);
    const inspector = await registerAnonymously(suite, { grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic', scope: 'introspect' });
    const auth = basicAuth(inspector.client_id, inspector.client_secret!);
    assert.deepEqual((await introspect(suite, othersToken, auth)).json, { active: false }, 'no scanning of other clients while pending');
    assertOAuthError(await secretToken(inspector, 'introspect'), 400, 'invalid_scope');
    assert.equal((await approve(inspector.client_id)).status, 200);
    const seen = await introspect(suite, othersToken, auth);
    assert.equal(seen.json.active, true, seen.text);
    assert.equal(seen.json.client_id, other.client_id);
  });

  it('launch (the EHR role): no launch token and no accepted launch JWT while pending', async () => {
    const key = await clientKey('ES256');
    const ehr = await registerAnonymously(suite, {
      grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [key.publicJwk] },
      scope: 'launch',
    });
    const assertion = async () => signAssertion(key, ehr.client_id, `${suite.issuer}/token`);
    const refused = await tokenRequest(suite, {
      grant_type: 'client_credentials',
      scope: 'launch',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: await assertion(),
    });
    assertOAuthError(refused, 400, 'invalid_scope');
    // A launch JWT it signs is not accepted at /authorize: the error goes back once someone signs in, never a code.
    const app = await registerAnonymously(suite, {
      redirect_uris: ['https://app.example/callback'],
      token_endpoint_auth_method: 'none',
      scope: 'launch openid fhirUser patient/*.rs',
    });
    const now = Math.floor(Date.now() / 1000);
    const launchJwt = await new SignJWT({ patient: 'p-bob', jti: crypto.randomUUID() })
      .setProtectedHeader({ alg: 'ES256', kid: key.kid })
      .setIssuer(ehr.client_id)
      .setAudience(suite.issuer)
      .setExpirationTime(now + 300)
      .setIssuedAt(now)
      .sign(key.privateKey);
    const url = new URL('/authorize', suite.baseUrl);
    for (const [k, v] of Object.entries({
      response_type: 'code',
      client_id: app.client_id,
      redirect_uri: 'https://app.example/callback',
      scope: 'launch openid patient/*.rs',
      state: 's1',
      aud: suite.fhirBaseUrl,
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
      launch: launchJwt,
      prompt: 'none',
    })) url.searchParams.set(k, v);
    const res = await fetch(url, { redirect: 'manual' });
    assert.equal(res.status, 303);
    const location = new URL(res.headers.get('location')!);
    assert.equal(location.origin + location.pathname, 'https://app.example/callback');
    assert.equal(location.searchParams.get('code'), null);
    assert.equal(location.searchParams.get('error'), 'invalid_request');
    assert.match(location.searchParams.get('error_description') ?? '', /registered EHR/);
  });

  it('the JWT bearer grant: unauthorized_client while pending', async () => {
    const key = await clientKey('ES256');
    const client = await registerAnonymously(suite, {
      grant_types: ['urn:ietf:params:oauth:grant-type:jwt-bearer'],
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [key.publicJwk] },
      scope: 'user/*.rs',
    });
    assert.deepEqual(client.privileges_pending, { scope: [], grant_types: ['urn:ietf:params:oauth:grant-type:jwt-bearer'] });
    const reply = await tokenRequest(suite, {
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      assertion: await signAssertion(key, client.client_id, `${suite.issuer}/token`, { sub: 'somebody' }),
    });
    assertOAuthError(reply, 400, 'unauthorized_client');
    assert.match(reply.json.error_description as string, /approval/);
  });

  it('approves some privileges, refuses the rest: client.rejected, the refused one says so', async () => {
    const client = await registerAnonymously(suite, { grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic', scope: 'system/Patient.rs system/Observation.rs' });
    const some = await approve(client.client_id, { privileges: 'system/Patient.rs' });
    assert.equal(some.status, 200, some.text);
    assert.equal(some.json.status, 'pending');
    assert.deepEqual(some.json.privileges_pending, { scope: ['system/Observation.rs'], grant_types: [] });
    assert.equal((await secretToken(client, 'system/Patient.rs')).status, 200);
    assertOAuthError(await secretToken(client, 'system/Observation.rs'), 400, 'invalid_scope');
    // A request that usable scopes satisfy in part is narrowed (RFC 6749 §3.3).
    assert.equal((await secretToken(client, 'system/*.rs')).json.scope, 'system/Patient.rs');
    const refused = await reject(client.client_id, { privileges: ['system/Observation.rs'] });
    assert.equal(refused.status, 200, refused.text);
    assert.equal(refused.json.status, 'rejected');
    assert.deepEqual(refused.json.privileges_rejected, { scope: ['system/Observation.rs'], grant_types: [] });
    const after = await secretToken(client, 'system/Observation.rs');
    assertOAuthError(after, 400, 'invalid_scope');
    assert.match(after.json.error_description as string, /refused/);
    const rejectedList = await adminCall('/admin/clients?status=rejected&limit=1000');
    assert.ok((rejectedList.json.clients as Array<{ client_id: string }>).some((c) => c.client_id === client.client_id));
    await eventually(async () => {
      const types = await auditTypes(client.client_id);
      return types.includes('client.approved') && types.includes('client.rejected');
    }, 'client.approved and client.rejected in the audit trail');
    // Deciding again on nothing pending changes nothing.
    const again = await approve(client.client_id);
    assert.equal(again.status, 200);
    assert.equal(again.json.status, 'rejected');
  });

  it('an RFC 7592 update can never add a privilege without a new approval', async () => {
    const client = await registerAnonymously(suite, { grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic', scope: 'system/Patient.rs' });
    assert.equal((await approve(client.client_id)).status, 200);
    const body = { client_id: client.client_id, grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic', scope: 'system/*.rs introspect' };
    const widened = await manage(suite, client.client_id, 'PUT', client.registration_access_token, body);
    assert.equal(widened.status, 200, widened.text);
    assert.deepEqual(widened.json.privileges_pending, { scope: ['system/*.rs', 'introspect'], grant_types: [] });
    assertOAuthError(await secretToken(client, 'system/Observation.rs'), 400, 'invalid_scope');
    assertOAuthError(await secretToken(client, 'introspect'), 400, 'invalid_scope');
    const read = await manage(suite, client.client_id, 'GET', client.registration_access_token);
    assert.deepEqual(read.json.privileges_pending, { scope: ['system/*.rs', 'introspect'], grant_types: [] });
    // Narrowing back to what was approved needs no new approval.
    const narrowed = await manage(suite, client.client_id, 'PUT', client.registration_access_token, { ...body, scope: 'system/Patient.rs' });
    assert.equal(narrowed.status, 200, narrowed.text);
    assert.equal(narrowed.json.privileges_pending, undefined);
    assert.equal((await secretToken(client, 'system/Patient.rs')).status, 200);
  });

  it('never grants system/, introspect or admin at /authorize, whatever the client registered', async () => {
    const app = await registerAnonymously(suite, {
      redirect_uris: ['https://app.example/callback'],
      token_endpoint_auth_method: 'none',
      scope: 'openid system/*.rs introspect',
    });
    const url = new URL('/authorize', suite.baseUrl);
    for (const [k, v] of Object.entries({
      response_type: 'code',
      client_id: app.client_id,
      redirect_uri: 'https://app.example/callback',
      scope: 'system/*.rs introspect',
      state: 's2',
      aud: suite.fhirBaseUrl,
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
      prompt: 'none',
    })) url.searchParams.set(k, v);
    const res = await fetch(url, { redirect: 'manual' });
    const location = new URL(res.headers.get('location')!);
    assert.equal(location.searchParams.get('error'), 'invalid_scope');
    assert.equal(location.searchParams.get('code'), null);
  });

  it('refuses bad approval calls with spec-shaped errors', async () => {
    const client = await registerAnonymously(suite, { grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic', scope: 'system/*.rs' });
    assertOAuthError(await approve('no-such-client'), 404, 'not_found');
    assertOAuthError(await approve(client.client_id, { privileges: 'introspect' }), 400, 'invalid_request', 'not pending');
    assertOAuthError(await approve(client.client_id, { privileges: 'patient/*.rs' }), 400, 'invalid_request', 'not a privilege');
    assertOAuthError(await approve(client.client_id, { privileges: 42 }), 400, 'invalid_request');
    assertOAuthError(await approve(client.client_id, { scope: 'system/*.rs' }), 400, 'invalid_request', 'unknown member');
    assertOAuthError(await adminCall('/admin/clients?status=maybe'), 400, 'invalid_request');
    assertOAuthError(await approve(suite.adminClientId), 400, 'invalid_request', 'managed by configuration');
    assertOAuthError(await call(suite, `/admin/clients/${client.client_id}/approve`, { method: 'POST' }), 401, 'invalid_token');
    const machine = await machineClient(suite);
    assertOAuthError(await call(suite, `/admin/clients/${client.client_id}/approve`, { method: 'POST', headers: { authorization: bearer(await tokenFor(suite, machine)) } }), 403, 'insufficient_scope');
    assert.equal((await call(suite, `/admin/clients/${client.client_id}/approve`, { method: 'GET', headers: { authorization: bearer(admin) } })).status, 405);
    // Still pending after all of that.
    assertOAuthError(await secretToken(client), 400, 'invalid_scope');
  });
});

describe('trust tiers: initial access tokens with privileges and trusted software statements', () => {
  let suite: RunningSuite;
  const LIMITED_TOKEN = 'limited-initial-access-token-0123456789';
  const UNLIMITED_TOKEN = 'unlimited-initial-access-token-0123456789';
  let storeKey: Awaited<ReturnType<typeof clientKey>>;
  let strangerKey: Awaited<ReturnType<typeof clientKey>>;
  let vendorKey: Awaited<ReturnType<typeof clientKey>>;
  let vendorKeys: JwksServer;
  const STORE = 'https://apps.example-store.test';
  const VENDOR = 'https://ehr-vendor.example.test';

  before(async () => {
    storeKey = await clientKey('RS256');
    strangerKey = await clientKey('RS256');
    vendorKey = await clientKey('ES256');
    vendorKeys = await JwksServer.start();
    const vendorJwksUri = vendorKeys.serve('vendor', vendorKey);
    suite = await startSuite({
      env: {
        REGISTRATION_INITIAL_ACCESS_TOKENS: JSON.stringify([
          { token: LIMITED_TOKEN, privileges: 'system/Patient.rs' },
          { token_sha256: (await import('node:crypto')).createHash('sha256').update(UNLIMITED_TOKEN).digest('hex'), privileges: '*' },
        ]),
        SOFTWARE_STATEMENT_ISSUERS: JSON.stringify({
          [STORE]: { jwks: { keys: [storeKey.publicJwk] }, privileges: 'system/*.rs launch' },
          [VENDOR]: { jwks_uri: vendorJwksUri, privileges: 'launch' },
        }),
      },
    });
  });
  after(async () => {
    await suite?.stop();
    await vendorKeys?.stop();
  });

  const registerWith = (body: Record<string, unknown>, token?: string) =>
    postRegistration(suite, body, 'application/json', token ? { authorization: bearer(token) } : {});
  const statement = (claims: Record<string, unknown>, key = storeKey, iss = STORE) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: key.kid }).setIssuer(iss).setIssuedAt().setExpirationTime('10m').sign(key.privateKey);
  const backend = { grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic' };

  it('an initial access token vouches for what it was configured with, no more', async () => {
    const reply = await registerWith({ ...backend, scope: 'system/Patient.rs system/Observation.rs' }, LIMITED_TOKEN);
    assert.equal(reply.status, 201, reply.text);
    assert.deepEqual(reply.json.privileges_pending, { scope: ['system/Observation.rs'], grant_types: [] });
    const auth = { authorization: basicAuth(reply.json.client_id as string, reply.json.client_secret as string) };
    assert.equal((await tokenRequest(suite, { grant_type: 'client_credentials', scope: 'system/Patient.rs' }, auth)).status, 200);
    assertOAuthError(await tokenRequest(suite, { grant_type: 'client_credentials', scope: 'system/Observation.rs' }, auth), 400, 'invalid_scope');
    const all = await registerWith({ ...backend, scope: 'system/*.rs introspect' }, UNLIMITED_TOKEN);
    assert.equal(all.status, 201, all.text);
    assert.equal(all.json.privileges_pending, undefined);
  });

  it('an unknown initial access token is 401 invalid_token, not an anonymous registration', async () => {
    assertOAuthError(await registerWith({ ...backend, scope: 'system/*.rs' }, 'not-a-configured-token-0123456789'), 401, 'invalid_token');
  });

  it('a software statement from a trusted issuer vouches for what it asserts (RFC 7591 §2.3), its claims taking precedence', async () => {
    const signed = await statement({ software_id: 'bulk-exporter', client_name: 'Vouched Exporter', scope: 'system/*.rs', grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic' });
    const reply = await registerWith({ software_statement: signed, client_name: 'Something Else', scope: 'system/*.cruds' });
    assert.equal(reply.status, 201, reply.text);
    assert.equal(reply.json.client_name, 'Vouched Exporter', 'statement values take precedence (RFC 7591 §3.1.1)');
    assert.equal(reply.json.scope, 'system/*.rs');
    assert.equal(reply.json.software_id, 'bulk-exporter');
    assert.equal(reply.json.privileges_pending, undefined);
    const auth = { authorization: basicAuth(reply.json.client_id as string, reply.json.client_secret as string) };
    assert.equal((await tokenRequest(suite, { grant_type: 'client_credentials' }, auth)).json.scope, 'system/*.rs');
    const admin = await adminToken(suite);
    const shown = await call(suite, `/admin/clients/${reply.json.client_id as string}`, { headers: { authorization: bearer(admin) } });
    assert.equal(shown.json.trust, 'software-statement');
    assert.equal(shown.json.software_statement_issuer, STORE);
  });

  it('a statement vouches only within what its issuer is trusted with; the rest waits', async () => {
    const signed = await statement({ scope: 'system/*.rs introspect', grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic' });
    const reply = await registerWith({ software_statement: signed });
    assert.equal(reply.status, 201, reply.text);
    assert.deepEqual(reply.json.privileges_pending, { scope: ['introspect'], grant_types: [] });
  });

  it("an issuer's keys may come from its jwks_uri (fetched, cached)", async () => {
    const signed = await new SignJWT({ client_name: 'Vendor EHR', scope: 'launch', grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic' })
      .setProtectedHeader({ alg: 'ES256', kid: vendorKey.kid })
      .setIssuer(VENDOR)
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(vendorKey.privateKey);
    const reply = await registerWith({ software_statement: signed });
    assert.equal(reply.status, 201, reply.text);
    assert.equal(reply.json.privileges_pending, undefined, 'the vendor vouches for launch');
    const token = await tokenRequest(suite, { grant_type: 'client_credentials', scope: 'launch' }, { authorization: basicAuth(reply.json.client_id as string, reply.json.client_secret as string) });
    assert.equal(token.status, 200, token.text);
    // The same vendor cannot vouch for what it is not trusted with.
    const wider = await new SignJWT({ scope: 'launch system/*.rs', grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic' })
      .setProtectedHeader({ alg: 'ES256', kid: vendorKey.kid })
      .setIssuer(VENDOR)
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(vendorKey.privateKey);
    const widerReply = await registerWith({ software_statement: wider });
    assert.deepEqual(widerReply.json.privileges_pending, { scope: ['system/*.rs'], grant_types: [] });
    assert.ok((vendorKeys.fetches.get('/jwks/vendor') ?? 0) >= 1, 'the keys were fetched from the jwks_uri');
  });

  it('refuses statements that are not from a trusted issuer or do not verify (RFC 7591 §3.2.2)', async () => {
    const claims = { scope: 'system/*.rs', grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic' };
    assertOAuthError(await registerWith({ software_statement: await statement(claims, strangerKey, 'https://stranger.test') }), 400, 'unapproved_software_statement');
    assertOAuthError(await registerWith({ software_statement: await statement(claims, strangerKey) }), 400, 'invalid_software_statement', 'wrong key');
    assertOAuthError(await registerWith({ software_statement: 'not.a.jwt' }), 400, 'invalid_software_statement');
    assertOAuthError(await registerWith({ software_statement: 42 }), 400, 'invalid_software_statement');
    const expired = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: storeKey.kid }).setIssuer(STORE).setIssuedAt(1_700_000_000).setExpirationTime(1_700_000_600).sign(storeKey.privateKey);
    assertOAuthError(await registerWith({ software_statement: expired }), 400, 'invalid_software_statement', 'expired');
    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ iss: STORE, ...claims })).toString('base64url')}.`;
    assertOAuthError(await registerWith({ software_statement: unsigned }), 400, 'invalid_software_statement', 'alg none');
  });
});

describe('trust tiers: REGISTRATION_AUTO_APPROVE=true is an explicit opt-in for sandboxes', () => {
  let suite: RunningSuite;
  before(async () => {
    suite = await startSuite({ env: { REGISTRATION_AUTO_APPROVE: 'true' }, collectLogs: true });
  });
  after(async () => suite?.stop());

  it('approves at once, and says so loudly at start', async () => {
    const reply = await postRegistration(suite, { grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic', scope: 'system/*.rs' });
    assert.equal(reply.status, 201, reply.text);
    assert.equal(reply.json.privileges_pending, undefined);
    const token = await tokenRequest(suite, { grant_type: 'client_credentials' }, { authorization: basicAuth(reply.json.client_id as string, reply.json.client_secret as string) });
    assert.equal(token.status, 200, token.text);
    assert.ok(suite.logLines().some((l) => l.line.includes('REGISTRATION_AUTO_APPROVE=true')), 'the start banner warns');
  });
});
