import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { exportJWK, generateKeyPair } from 'jose';
import { sharedSuite, type RunningSuite } from '#testing';
import { assertOAuthError, basicAuth, call, manage, postRegistration, register, tokenRequest, type Reply } from './support/http.js';

const MACHINE = { grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic', scope: 'system/Patient.rs' };

describe('dynamic client registration (RFC 7591, RFC 7592)', () => {
  let suite: RunningSuite & { owned: boolean };
  let ecJwk: Record<string, unknown>;
  before(async () => {
    suite = await sharedSuite();
    const { publicKey } = await generateKeyPair('ES384', { extractable: true });
    ecJwk = { ...(await exportJWK(publicKey)), kid: `bulk-key-${Date.now()}`, alg: 'ES384', use: 'sig' };
  });
  after(async () => {
    if (suite.owned) await suite.stop();
  });

  /** RFC 7591 §3.2.1 and RFC 7592 §3: the response shape every registration shares. */
  function assertRegistered(reply: Reply, secret: boolean): void {
    assert.equal(reply.status, 201, reply.text);
    assert.match(reply.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal(reply.headers.get('cache-control'), 'no-store');
    const body = reply.json;
    assert.ok(typeof body.client_id === 'string' && body.client_id.length > 0);
    assert.equal(typeof body.client_id_issued_at, 'number');
    assert.ok(Math.abs((body.client_id_issued_at as number) - Date.now() / 1000) < 300, 'client_id_issued_at is seconds since the epoch');
    assert.ok(typeof body.registration_access_token === 'string' && body.registration_access_token.length >= 20);
    assert.equal(body.registration_client_uri, `${suite.issuer}/register/${body.client_id as string}`);
    if (secret) {
      assert.ok(typeof body.client_secret === 'string' && body.client_secret.length >= 43, `client_secret: ${String(body.client_secret)}`);
      assert.equal(body.client_secret_expires_at, 0);
    } else {
      assert.equal(body.client_secret, undefined);
    }
  }

  it('registers the public shape', async () => {
    const metadata = {
      client_name: 'Public App',
      redirect_uris: ['https://app.example.com/callback'],
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      scope: 'launch/patient openid fhirUser patient/*.read',
    };
    const reply = await postRegistration(suite, metadata);
    assertRegistered(reply, false);
    assert.equal(reply.json.token_endpoint_auth_method, 'none');
    assert.deepEqual(reply.json.redirect_uris, metadata.redirect_uris);
    assert.deepEqual(reply.json.grant_types, metadata.grant_types);
    assert.equal(reply.json.client_name, metadata.client_name);
  });

  it('registers the confidential symmetric shape', async () => {
    const metadata = {
      client_name: 'Confidential App',
      redirect_uris: ['https://app.example.com/callback'],
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      scope: 'launch/patient openid fhirUser offline_access patient/*.read',
    };
    const reply = await postRegistration(suite, metadata);
    assertRegistered(reply, true);
    assert.equal(reply.json.token_endpoint_auth_method, 'client_secret_basic');
    assert.deepEqual(reply.json.grant_types, metadata.grant_types);
  });

  it('registers the asymmetric shape with a jwks_uri', async () => {
    const metadata = {
      client_name: 'Asymmetric App',
      redirect_uris: ['https://app.example.com/callback'],
      token_endpoint_auth_method: 'private_key_jwt',
      jwks_uri: 'https://app.example.com/jwks.json',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      scope: 'launch/patient openid fhirUser patient/*.read',
    };
    const reply = await postRegistration(suite, metadata);
    assertRegistered(reply, false);
    assert.equal(reply.json.token_endpoint_auth_method, 'private_key_jwt');
    assert.equal(reply.json.jwks_uri, metadata.jwks_uri);
  });

  it('registers the bulk shape with inline jwks', async () => {
    const metadata = { client_name: 'Bulk Client', token_endpoint_auth_method: 'private_key_jwt', grant_types: ['client_credentials'], jwks: { keys: [ecJwk] }, scope: 'system/*.rs' };
    const reply = await postRegistration(suite, metadata);
    assertRegistered(reply, false);
    assert.equal(reply.json.token_endpoint_auth_method, 'private_key_jwt');
    assert.deepEqual(reply.json.grant_types, ['client_credentials']);
    assert.equal(reply.json.scope, 'system/*.rs');
    const keys = (reply.json.jwks as { keys: Array<Record<string, unknown>> } | undefined)?.keys;
    assert.equal(keys?.[0]?.kid, ecJwk.kid);
  });

  it('chooses client ids that never start with - or _ (they would read as options on a command line)', async () => {
    for (let i = 0; i < 64; i++) {
      const reply = await postRegistration(suite, { redirect_uris: ['https://app.example/cb'], token_endpoint_auth_method: 'none', scope: 'openid' });
      assert.equal(reply.status, 201, reply.text);
      assert.match(reply.json.client_id as string, /^[A-Za-z0-9][A-Za-z0-9_-]{21}$/);
    }
  });

  it('honours a requested client_id when free and refuses it when taken', async () => {
    const id = `requested-${Date.now()}`;
    const first = await postRegistration(suite, { client_id: id, ...MACHINE });
    assertRegistered(first, true);
    assert.equal(first.json.client_id, id);
    assertOAuthError(await postRegistration(suite, { client_id: id, ...MACHINE }), 400, 'invalid_client_metadata');
  });

  const base = { redirect_uris: ['https://app.example/cb'], token_endpoint_auth_method: 'none', scope: 'openid' };
  const rejections: Array<[string, Record<string, unknown>, string]> = [
    ['the implicit grant', { ...base, grant_types: ['implicit'] }, 'invalid_client_metadata'],
    ['the password grant', { ...base, grant_types: ['password'] }, 'invalid_client_metadata'],
    ['the token response type', { ...base, response_types: ['token'] }, 'invalid_client_metadata'],
    ['an http redirect_uri', { ...base, redirect_uris: ['http://app.example/cb'] }, 'invalid_redirect_uri'],
    ['a redirect_uri with a fragment', { ...base, redirect_uris: ['https://a.example/cb#x'] }, 'invalid_redirect_uri'],
    ['out-of-order permissions', { ...base, scope: 'patient/Observation.dus' }, 'invalid_client_metadata'],
    ['an unknown scope', { ...base, scope: 'bogus' }, 'invalid_client_metadata'],
    ['the admin scope', { ...MACHINE, scope: 'admin' }, 'invalid_client_metadata'],
    ['the admin scope among others', { ...MACHINE, scope: 'system/Patient.rs admin' }, 'invalid_client_metadata'],
    ['a public client_credentials client', { grant_types: ['client_credentials'], token_endpoint_auth_method: 'none', scope: 'system/*.rs' }, 'invalid_client_metadata'],
  ];
  for (const [name, metadata, error] of rejections) {
    it(`refuses ${name}`, async () => {
      assertOAuthError(await postRegistration(suite, metadata), 400, error);
    });
  }

  for (const uri of ['http://127.0.0.1:5555/cb', 'com.example.app:/cb']) {
    it(`accepts the native redirect_uri ${uri}`, async () => {
      const reply = await postRegistration(suite, { ...base, redirect_uris: [uri] });
      assertRegistered(reply, false);
      assert.deepEqual(reply.json.redirect_uris, [uri]);
    });
  }

  it('stores and echoes the SMART launch_uri of the seed registrations: POST, RFC 7592 GET and PUT', async () => {
    const metadata = {
      client_name: 'Drummond Inferno Public Client',
      redirect_uris: ['https://inferno.example/suites/custom/smart/redirect'],
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      client_uri: 'https://inferno.example/suites',
      scope: 'launch/patient openid fhirUser offline_access patient/*.rs',
      launch_uri: 'https://inferno.example/suites/custom/smart/launch',
    };
    const reply = await postRegistration(suite, metadata);
    assertRegistered(reply, false);
    assert.equal(reply.json.launch_uri, metadata.launch_uri);
    const client = reply.json as { client_id: string; registration_access_token: string };
    const read = await manage(suite, client.client_id, 'GET', client.registration_access_token);
    assert.equal(read.status, 200, read.text);
    assert.equal(read.json.launch_uri, metadata.launch_uri);
    const moved = 'http://localhost:9090/launch';
    const updated = await manage(suite, client.client_id, 'PUT', client.registration_access_token, { ...metadata, client_id: client.client_id, launch_uri: moved });
    assert.equal(updated.status, 200, updated.text);
    assert.equal(updated.json.launch_uri, moved, 'http on a loopback host is allowed');
    const refused = await manage(suite, client.client_id, 'PUT', client.registration_access_token, { ...metadata, client_id: client.client_id, launch_uri: 'https://inferno.example/launch#x' });
    assertOAuthError(refused, 400, 'invalid_client_metadata');
    assert.match(String(refused.json.error_description), /launch_uri/);
    const dropped = await manage(suite, client.client_id, 'PUT', client.registration_access_token, { ...metadata, client_id: client.client_id, launch_uri: undefined });
    assert.equal(dropped.status, 200, dropped.text);
    assert.equal(dropped.json.launch_uri, undefined, 'an update replaces the metadata: an omitted launch_uri is gone');
  });

  for (const launchUri of ['http://app.example/launch', '/launch', 'https://app.example/launch#frag', 'ftp://app.example/launch']) {
    it(`refuses the launch_uri ${launchUri} with invalid_client_metadata`, async () => {
      const reply = await postRegistration(suite, { ...base, launch_uri: launchUri });
      assertOAuthError(reply, 400, 'invalid_client_metadata');
      assert.match(String(reply.json.error_description), /launch_uri/);
    });
  }

  it('refuses a malformed JSON body with invalid_client_metadata', async () => {
    assertOAuthError(await postRegistration(suite, '{"client_name": '), 400, 'invalid_client_metadata');
  });

  it('refuses a text/plain body with 400', async () => {
    const reply = await postRegistration(suite, JSON.stringify(MACHINE), 'text/plain');
    assert.equal(reply.status, 400, reply.text);
    assert.equal(typeof reply.json.error, 'string', reply.text);
  });

  it('refuses a body over 64 KiB with a JSON 413', async () => {
    const reply = await postRegistration(suite, { ...MACHINE, client_name: 'x'.repeat(70 * 1024) });
    assert.equal(reply.status, 413, reply.text.slice(0, 200));
    assert.match(reply.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal(typeof reply.json.error, 'string');
  });

  it('reads the full record with the registration access token (RFC 7592 §2.1)', async () => {
    const client = await register(suite, { client_name: 'Readable', ...MACHINE });
    const read = await manage(suite, client.client_id, 'GET', client.registration_access_token);
    assert.equal(read.status, 200, read.text);
    assert.match(read.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal(read.headers.get('cache-control'), 'no-store');
    assert.equal(read.json.client_id, client.client_id);
    assert.equal(read.json.client_name, 'Readable');
    assert.deepEqual(read.json.grant_types, MACHINE.grant_types);
    assert.equal(read.json.token_endpoint_auth_method, MACHINE.token_endpoint_auth_method);
    assert.equal(read.json.scope, MACHINE.scope);
    assert.equal(read.json.client_id_issued_at, client.client_id_issued_at);
    assert.equal(read.json.client_secret_expires_at, 0);
    assert.equal(read.json.registration_client_uri, client.registration_client_uri);
    // The secret is only ever shown at registration (or when the server rotates it).
    assert.equal(read.json.client_secret, undefined);
    const current = read.json.registration_access_token;
    assert.ok(typeof current === 'string' && current.length >= 20, 'the current registration_access_token is returned');
    // RFC 7592 §2.1: the server may rotate it on read; if it did, the old one stops working at once.
    if (current !== client.registration_access_token) assertOAuthError(await manage(suite, client.client_id, 'GET', client.registration_access_token), 401, 'invalid_token');
    const again = await manage(suite, client.client_id, 'GET', current);
    assert.equal(again.status, 200, again.text);
    assert.equal(again.json.client_id, client.client_id);
  });

  it('refuses a bad registration access token with 401, a Bearer challenge and no client data', async () => {
    const client = await register(suite, { client_name: 'Secretive', ...MACHINE });
    for (const rat of ['not-the-token', `${client.registration_access_token}x`]) {
      const reply = await manage(suite, client.client_id, 'GET', rat);
      assertOAuthError(reply, 401, 'invalid_token');
      assert.match(reply.headers.get('www-authenticate') ?? '', /^Bearer/);
      for (const field of ['client_id', 'client_name', 'client_secret', 'scope', 'grant_types', 'registration_access_token']) assert.equal(reply.json[field], undefined, field);
      assert.ok(!reply.text.includes('Secretive'), reply.text);
    }
    // Another client's valid token does not open this record either.
    const other = await register(suite, MACHINE);
    assertOAuthError(await manage(suite, client.client_id, 'GET', other.registration_access_token), 401, 'invalid_token');
    // The record is intact for its own token (none of the refused calls rotated or revoked it).
    const read = await manage(suite, client.client_id, 'GET', client.registration_access_token);
    assert.equal(read.status, 200, read.text);
    assert.equal(read.json.client_name, 'Secretive');
  });

  it('requires the bearer on management calls', async () => {
    const reply = await call(suite, '/register/whoever');
    assertOAuthError(reply, 401, 'invalid_token');
    assert.match(reply.headers.get('www-authenticate') ?? '', /^Bearer/);
  });

  it('updates redirect_uris with PUT (RFC 7592 §2.2)', async () => {
    const metadata = { client_name: 'Movable', redirect_uris: ['https://app.example/old'], token_endpoint_auth_method: 'client_secret_basic', grant_types: ['authorization_code'], response_types: ['code'], scope: 'openid fhirUser' };
    const client = await register(suite, metadata);
    const updated = await manage(suite, client.client_id, 'PUT', client.registration_access_token, { ...metadata, client_id: client.client_id, redirect_uris: ['https://app.example/new'] });
    assert.equal(updated.status, 200, updated.text);
    assert.deepEqual(updated.json.redirect_uris, ['https://app.example/new']);
    assert.equal(updated.json.client_id, client.client_id);
    const rat = (updated.json.registration_access_token as string | undefined) ?? client.registration_access_token;
    const sneaky = await manage(suite, client.client_id, 'PUT', 'not-the-token', { ...metadata, client_id: client.client_id, redirect_uris: ['https://evil.example/cb'] });
    assertOAuthError(sneaky, 401, 'invalid_token');
    const read = await manage(suite, client.client_id, 'GET', rat);
    assert.equal(read.status, 200, read.text);
    assert.deepEqual(read.json.redirect_uris, ['https://app.example/new']);
  });

  it('refuses a PUT whose client_id does not match, leaving the record unchanged', async () => {
    const client = await register(suite, { client_name: 'Fixed', ...MACHINE });
    const reply = await manage(suite, client.client_id, 'PUT', client.registration_access_token, { ...MACHINE, client_id: 'someone-else', client_name: 'Hijacked' });
    assert.equal(reply.status, 400, reply.text);
    assert.equal(typeof reply.json.error, 'string');
    const read = await manage(suite, client.client_id, 'GET', client.registration_access_token);
    assert.equal(read.status, 200, read.text);
    assert.equal(read.json.client_name, 'Fixed');
  });

  it('refuses an invalid PUT with the registration error codes', async () => {
    const client = await register(suite, { client_name: 'Strict', redirect_uris: ['https://app.example/cb'], token_endpoint_auth_method: 'client_secret_basic', grant_types: ['authorization_code'], scope: 'openid' });
    const bad = await manage(suite, client.client_id, 'PUT', client.registration_access_token, {
      client_id: client.client_id,
      redirect_uris: ['http://app.example/cb'],
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code'],
      scope: 'openid',
    });
    assertOAuthError(bad, 400, 'invalid_redirect_uri');
  });

  it('keeps the secret working across an update, then deletes the client (RFC 7592 §2.3)', async () => {
    const client = await register(suite, { client_name: 'Managed', ...MACHINE });
    const auth = { authorization: basicAuth(client.client_id, client.client_secret!) };
    let rat = client.registration_access_token;
    const updated = await manage(suite, client.client_id, 'PUT', rat, { ...MACHINE, client_id: client.client_id, client_name: 'Renamed', scope: 'system/Patient.rs system/Observation.rs' });
    assert.equal(updated.status, 200, updated.text);
    assert.equal(updated.json.client_name, 'Renamed');
    assert.equal(updated.json.client_secret, undefined, 'the secret is not echoed back on update');
    rat = (updated.json.registration_access_token as string | undefined) ?? rat;
    const check = await manage(suite, client.client_id, 'GET', rat);
    assert.equal(check.json.scope, 'system/Patient.rs system/Observation.rs');
    rat = check.json.registration_access_token as string;

    // Trust tiers: the update added a privilege, which waits for a new approval; what was approved still works.
    assert.deepEqual(check.json.privileges_pending, { scope: ['system/Observation.rs'], grant_types: [] });
    const token = await tokenRequest(suite, { grant_type: 'client_credentials' }, auth);
    assert.equal(token.status, 200, token.text);
    assert.equal(token.json.scope, 'system/Patient.rs');
    assertOAuthError(await tokenRequest(suite, { grant_type: 'client_credentials', scope: 'system/Observation.rs' }, auth), 400, 'invalid_scope');

    const deleted = await manage(suite, client.client_id, 'DELETE', rat);
    assert.equal(deleted.status, 204, deleted.text);
    assert.equal(deleted.text, '');
    assertOAuthError(await manage(suite, client.client_id, 'GET', rat), 401, 'invalid_token');
    assertOAuthError(await tokenRequest(suite, { grant_type: 'client_credentials' }, auth), 401, 'invalid_client');
    // A deleted client's token cannot be replayed for a second DELETE.
    assertOAuthError(await manage(suite, client.client_id, 'DELETE', rat), 401, 'invalid_token');
  });
});
