import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt, SignJWT } from 'jose';
import { startSuite, type RunningSuite } from '#testing';
import { clientKey, signAssertion, type ClientKey } from './support/client-keys.js';
import { CookieJar, completeInteraction, startAuthorization } from './support/form-flow.js';
import { basicAuth, bearer, call, initialAccessToken, introspect, postRegistration, tokenRequest, type Reply } from './support/http.js';
import { adminToken, createUser, type TestUser } from './support/people.js';

/**
 * Issue #13, the authorization matrix: who signs in × how the app is launched
 * × how far its client is trusted × what it asks for → code with the right
 * context, `access_denied`, `invalid_scope` or an error. Every row that must
 * refuse also asserts that no token with the forbidden context or scope
 * exists: the admin grant listing has no grant for it, and the token the
 * refused client can get introspects without it.
 */

const CALLBACK = 'https://matrix-app.example/callback';
const APP_SCOPE = 'launch launch/patient openid fhirUser patient/*.rs';
const STORE = 'https://store.matrix.test';
const DECLARED_SECRET = `declared-${randomBytes(12).toString('hex')}`;

type UserKind = 'patient self' | 'patient other' | 'practitioner allowed' | 'practitioner not allowed' | 'no user';
type Launch = 'standalone' | 'EHR by context' | 'EHR by launch JWT' | 'context bound to another user' | 'context bound to this user' | 'context bound to another client' | 'JWT bound to another client' | 'context bound to this client';
type Outcome = { code: string } | { error: string };

describe('authorization matrix (issue #13)', () => {
  let suite: RunningSuite;
  let dir: string;
  let admin: string;
  let ehr: { clientId: string; key: ClientKey };
  let app: string;
  let otherApp: string;
  let patientX: TestUser;
  let doctor: TestUser;
  let otherDoctor: TestUser;
  const pX = `pm-x-${randomBytes(3).toString('hex')}`;
  const pY = `pm-y-${randomBytes(3).toString('hex')}`;
  let storeKey: ClientKey;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'matrix-'));
    const clientsFile = join(dir, 'clients.yaml');
    writeFileSync(
      clientsFile,
      ['clients:', '  - client_id: matrix-declared', '    grant_types: [client_credentials]', '    token_endpoint_auth_method: client_secret_basic', '    scope: system/*.rs', '    client_secret_env: MATRIX_DECLARED_SECRET', ''].join('\n'),
    );
    storeKey = await clientKey('ES256');
    suite = await startSuite({
      env: { CLIENTS_FILE: clientsFile, MATRIX_DECLARED_SECRET: DECLARED_SECRET, SOFTWARE_STATEMENT_ISSUERS: JSON.stringify({ [STORE]: { jwks: { keys: [storeKey.publicJwk] } } }) },
    });
    admin = await adminToken(suite);
    patientX = await createUser(suite, admin, { fhirUser: `Patient/${pX}` });
    doctor = await createUser(suite, admin, { fhirUser: `Practitioner/dr-${randomBytes(3).toString('hex')}`, patients: [{ id: pX, name: 'X' }, { id: pY, name: 'Y' }] });
    otherDoctor = await createUser(suite, admin, { fhirUser: `Practitioner/dr-${randomBytes(3).toString('hex')}`, patients: [{ id: pX, name: 'X' }] });
    // A trusted EHR: registered with the run's initial access token, holding the EHR role (`launch`).
    const key = await clientKey('ES256');
    const registered = await postRegistration(
      suite,
      { client_name: 'Matrix EHR', grant_types: ['client_credentials'], token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [key.publicJwk] }, scope: 'launch' },
      'application/json',
      { authorization: bearer(initialAccessToken(suite)) },
    );
    assert.equal(registered.status, 201, registered.text);
    ehr = { clientId: registered.json.client_id as string, key };
    // The launched apps register anonymously: a person approves everything they ask for.
    const appMetadata = { client_name: 'Matrix App', redirect_uris: [CALLBACK], token_endpoint_auth_method: 'none', grant_types: ['authorization_code'], scope: APP_SCOPE };
    app = (await postRegistration(suite, appMetadata)).json.client_id as string;
    otherApp = (await postRegistration(suite, appMetadata)).json.client_id as string;
  });
  after(async () => {
    await suite?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const ehrToken = async (): Promise<string> => {
    const reply = await tokenRequest(suite, {
      grant_type: 'client_credentials',
      scope: 'launch',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: await signAssertion(ehr.key, ehr.clientId, `${suite.issuer}/token`),
    });
    assert.equal(reply.status, 200, reply.text);
    return reply.json.access_token as string;
  };
  const launchContext = async (body: Record<string, unknown>): Promise<string> => {
    const reply = await call(suite, '/launch', { method: 'POST', headers: { authorization: bearer(await ehrToken()), 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal(reply.status, 201, reply.text);
    return reply.json.launch as string;
  };
  const launchJwt = (claims: Record<string, unknown>, key = ehr.key, iss = ehr.clientId): Promise<string> =>
    new SignJWT({ jti: randomUUID(), ...claims })
      .setProtectedHeader({ alg: 'ES256', kid: key.kid })
      .setIssuer(iss)
      .setAudience(suite.issuer)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(key.privateKey);

  function userOf(kind: UserKind): TestUser | undefined {
    if (kind === 'patient self' || kind === 'patient other') return patientX;
    if (kind === 'practitioner allowed') return doctor;
    if (kind === 'practitioner not allowed') return otherDoctor;
    return undefined;
  }

  /** The patient the launch names, for each user kind: theirs or one they may open, or one they may not. */
  function patientFor(kind: UserKind): string {
    if (kind === 'patient self' || kind === 'practitioner allowed') return kind === 'practitioner allowed' ? pY : pX;
    if (kind === 'patient other') return pY;
    if (kind === 'practitioner not allowed') return pY; // otherDoctor's list has only pX
    return pX;
  }

  async function launchParam(launch: Launch, patient: string, user: TestUser | undefined): Promise<string | undefined> {
    switch (launch) {
      case 'standalone':
        return undefined;
      case 'EHR by context':
        return launchContext({ patient });
      case 'EHR by launch JWT':
        return launchJwt({ patient });
      case 'context bound to another user':
        return launchContext({ patient, user: user === doctor ? otherDoctor.username : doctor.username });
      case 'context bound to this user':
        return launchContext({ patient, fhirUser: user!.fhirUser });
      case 'context bound to another client':
        return launchContext({ patient, client_id: otherApp });
      case 'JWT bound to another client':
        return launchJwt({ patient, client_id: otherApp });
      case 'context bound to this client':
        return launchContext({ patient, client_id: app });
    }
  }

  async function run(kind: UserKind, launch: Launch): Promise<{ outcome: Outcome; patient: string }> {
    const user = userOf(kind);
    const patient = patientFor(kind);
    const param = await launchParam(launch, patient, user);
    const jar = new CookieJar();
    const scope = param === undefined ? 'launch/patient openid fhirUser patient/*.rs' : 'launch openid fhirUser patient/*.rs';
    const started = await startAuthorization(suite, jar, { client_id: app, redirect_uri: CALLBACK, scope, ...(param ? { launch: param } : {}), ...(user ? {} : { prompt: 'none' }) });
    let callback: URL;
    if (started.interaction) {
      // Nobody signed in with prompt=none: the interaction answers with the error at once, no page to fill in.
      callback = await completeInteraction(suite, jar, started.interaction, user ? { username: user.username, password: user.password, patient } : { username: '', password: '' });
    } else {
      callback = new URL(started.reply.headers.get('location') ?? 'about:blank');
    }
    assert.equal(callback.origin + callback.pathname, CALLBACK, `${kind} × ${launch}: ${callback.href}`);
    assert.equal(callback.searchParams.get('state'), started.state);
    assert.equal(callback.searchParams.get('iss'), suite.issuer);
    const code = callback.searchParams.get('code');
    if (!code) return { outcome: { error: callback.searchParams.get('error') ?? 'none' }, patient };
    const tokens = await tokenRequest(suite, { grant_type: 'authorization_code', code, redirect_uri: CALLBACK, client_id: app, code_verifier: started.verifier });
    assert.equal(tokens.status, 200, tokens.text);
    return { outcome: { code: tokens.json.access_token as string }, patient };
  }

  /** No grant of the app for this patient was created since `since`: nothing was issued with the forbidden context. */
  async function assertNoGrantFor(patient: string, since: number, what: string): Promise<void> {
    const grants = await call(suite, `/admin/grants?client_id=${app}&patient=${patient}`, { headers: { authorization: bearer(admin) } });
    assert.equal(grants.status, 200, grants.text);
    const fresh = (grants.json.grants as Array<{ created_at: string }>).filter((g) => Date.parse(g.created_at) >= since);
    assert.deepEqual(fresh, [], `${what}: a grant for ${patient} was created`);
  }

  const rows: Array<[UserKind, Launch, 'code' | string]> = [
    ['patient self', 'standalone', 'code'],
    ['practitioner allowed', 'standalone', 'code'],
    ['no user', 'standalone', 'login_required'],
    ['patient self', 'EHR by context', 'code'],
    ['patient other', 'EHR by context', 'access_denied'],
    ['practitioner allowed', 'EHR by context', 'code'],
    ['practitioner not allowed', 'EHR by context', 'access_denied'],
    ['no user', 'EHR by context', 'login_required'],
    ['patient self', 'EHR by launch JWT', 'code'],
    ['patient other', 'EHR by launch JWT', 'access_denied'],
    ['practitioner allowed', 'EHR by launch JWT', 'code'],
    ['practitioner not allowed', 'EHR by launch JWT', 'access_denied'],
    ['practitioner allowed', 'context bound to another user', 'access_denied'],
    ['practitioner allowed', 'context bound to this user', 'code'],
    ['patient self', 'context bound to another client', 'access_denied'],
    ['practitioner allowed', 'JWT bound to another client', 'access_denied'],
    ['practitioner allowed', 'context bound to this client', 'code'],
  ];

  for (const [kind, launch, expected] of rows) {
    it(`${kind} × ${launch} → ${expected}`, async () => {
      // Standalone practitioner launches pick pY on the picker; patient users always get themselves.
      const since = Date.now();
      const { outcome, patient } = await run(kind, launch);
      if (expected === 'code') {
        assert.ok('code' in outcome, `expected a code, got ${JSON.stringify(outcome)}`);
        const claims = decodeJwt(outcome.code);
        const inspected = await introspect(suite, outcome.code, basicAuth(suite.adminClientId, suite.adminClientSecret));
        assert.equal(inspected.json.active, true, inspected.text);
        const own = kind === 'patient self' ? pX : patient;
        assert.equal(inspected.json.patient, own, 'the token carries exactly the patient this user may open');
        assert.equal(claims.patient, own);
        assert.doesNotMatch(String(inspected.json.scope), /system\//);
      } else {
        assert.deepEqual(outcome, { error: expected });
        await assertNoGrantFor(patient, since, `${kind} × ${launch}`);
      }
    });
  }

  it("an app's token from an EHR launch carries the SMART launch scope but cannot create launch contexts (403)", async () => {
    const { outcome } = await run('practitioner allowed', 'EHR by context');
    assert.ok('code' in outcome);
    assert.match(String(decodeJwt(outcome.code).scope), /(^| )launch( |$)/);
    const reply = await call(suite, '/launch', { method: 'POST', headers: { authorization: bearer(outcome.code), 'content-type': 'application/json' }, body: JSON.stringify({ patient: pY }) });
    assert.equal(reply.status, 403, reply.text);
    assert.equal(reply.json.error, 'insufficient_scope');
  });

  it('a refused launch leaves an audit record (launch.refused or consent-less access_denied)', async () => {
    await run('patient other', 'EHR by context');
    const page = await call(suite, `/admin/audit?client_id=${app}&limit=1000`, { headers: { authorization: bearer(admin) } });
    const types = (page.json.events as Array<{ event: { type: string } }>).map((e) => e.event.type);
    for (let i = 0; i < 50 && !types.includes('launch.refused'); i++) {
      await new Promise((r) => setTimeout(r, 100));
      const again = await call(suite, `/admin/audit?client_id=${app}&limit=1000`, { headers: { authorization: bearer(admin) } });
      types.splice(0, types.length, ...(again.json.events as Array<{ event: { type: string } }>).map((e) => e.event.type));
    }
    assert.ok(types.includes('launch.refused'), types.join(', '));
  });

  describe('client trust × requested scopes (client_credentials: no person at all)', () => {
    type Trust = 'anonymous' | 'pending' | 'approved' | 'initial-access-token' | 'software statement' | 'declared';
    const backend = { grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic' };

    async function clientOf(trust: Trust, scope: string): Promise<{ id: string; secret: string }> {
      if (trust === 'declared') return { id: 'matrix-declared', secret: DECLARED_SECRET };
      let reply: Reply;
      if (trust === 'initial-access-token') {
        reply = await postRegistration(suite, { ...backend, scope }, 'application/json', { authorization: bearer(initialAccessToken(suite)) });
      } else if (trust === 'software statement') {
        const statement = await new SignJWT({ ...backend, scope })
          .setProtectedHeader({ alg: 'ES256', kid: storeKey.kid })
          .setIssuer(STORE)
          .setIssuedAt()
          .setExpirationTime('5m')
          .sign(storeKey.privateKey);
        reply = await postRegistration(suite, { software_statement: statement });
      } else {
        reply = await postRegistration(suite, { ...backend, scope });
      }
      assert.equal(reply.status, 201, reply.text);
      const id = reply.json.client_id as string;
      if (trust === 'approved') {
        const approved = await call(suite, `/admin/clients/${id}/approve`, { method: 'POST', headers: { authorization: bearer(admin) } });
        assert.equal(approved.status, 200, approved.text);
      }
      return { id, secret: reply.json.client_secret as string };
    }

    const rows: Array<[Trust, string, string, string | 'invalid_scope']> = [
      // trust, registered scope, requested scope, granted scope or the error
      ['anonymous', 'system/*.rs', 'system/Patient.rs', 'invalid_scope'],
      ['pending', 'system/*.rs introspect', 'introspect', 'invalid_scope'],
      ['approved', 'system/*.rs', 'system/Patient.rs', 'system/Patient.rs'],
      ['initial-access-token', 'system/*.rs', 'system/Patient.rs', 'system/Patient.rs'],
      ['software statement', 'system/*.rs', 'system/Observation.rs', 'system/Observation.rs'],
      ['declared', 'system/*.rs', 'system/Patient.rs', 'system/Patient.rs'],
      // No person consented: a patient or user scope is never granted without one, whatever the trust.
      ['initial-access-token', 'system/*.rs patient/*.rs', 'patient/*.rs', 'invalid_scope'],
      ['approved', 'system/*.rs user/*.rs', 'user/*.rs system/Patient.rs', 'system/Patient.rs'],
    ];
    for (const [trust, registered, requested, expected] of rows) {
      it(`${trust} client registered for "${registered}" asking "${requested}" → ${expected}`, async () => {
        const client = await clientOf(trust, registered);
        const reply = await tokenRequest(suite, { grant_type: 'client_credentials', scope: requested }, { authorization: basicAuth(client.id, client.secret) });
        if (expected === 'invalid_scope') {
          assert.equal(reply.status, 400, reply.text);
          assert.equal(reply.json.error, 'invalid_scope');
          assert.equal(reply.json.access_token, undefined);
          // The token the client can get without asking for anything carries none of the forbidden scope.
          const fallback = await tokenRequest(suite, { grant_type: 'client_credentials' }, { authorization: basicAuth(client.id, client.secret) });
          if (fallback.status === 200) {
            const inspected = await introspect(suite, fallback.json.access_token as string, basicAuth(suite.adminClientId, suite.adminClientSecret));
            assert.equal(inspected.json.active, true);
            for (const forbidden of requested.split(' ')) assert.ok(!String(inspected.json.scope).split(' ').includes(forbidden), `${forbidden} in ${inspected.text}`);
          } else {
            assert.equal(fallback.json.error, 'invalid_scope');
          }
        } else {
          assert.equal(reply.status, 200, reply.text);
          assert.equal(reply.json.scope, expected);
          const inspected = await introspect(suite, reply.json.access_token as string, basicAuth(suite.adminClientId, suite.adminClientSecret));
          assert.equal(inspected.json.scope, expected);
        }
      });
    }
  });
});
