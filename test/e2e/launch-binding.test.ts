// Issue #13: an EHR launch context opens only what a person, or a trusted party, allowed. A launch names its
// patient and may name the user it was made for (`user`: id or username; `fhirUser`) and the client that may use
// it (`client_id`). After sign-in and before any patient choice or consent, a patient user may open only their own
// record, a practitioner only a patient on their list (or, with EHR_LAUNCH_TRUSTED=true, any patient when the
// launch is bound to them), a launch bound to a user only that user, one bound to a client only that client;
// anything else ends with access_denied at the redirect URI (with state and iss) and a `launch.refused` event,
// never a code. Both launch forms: the opaque id of POST /launch and the launch JWT.
//
// POST /launch is called with the bootstrap admin client's token (scope `admin`); launch JWTs are signed by a
// registered EHR client holding the `launch` scope with its key in its registered `jwks`.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { sharedSuite, startSuite, type RunningSuite } from '#testing';
import { clientKey, type ClientKey } from './support/client-keys.js';
import { browse, completeInteraction, CookieJar, csrfOf, postForm, startAuthorization, type PageAnswers } from './support/form-flow.js';
import { assertOAuthError, basicAuth, bearer, call, register, tokenRequest, type RegisteredClient } from './support/http.js';
import { adminToken, createUser, type TestUser } from './support/people.js';

const CALLBACK = 'https://launched-app.example/callback';
const SCOPE = 'launch openid fhirUser patient/*.rs';
const APP = { redirect_uris: [CALLBACK], token_endpoint_auth_method: 'client_secret_basic', grant_types: ['authorization_code'], response_types: ['code'], scope: 'launch openid fhirUser patient/*.rs user/*.rs' };

type LaunchForm = 'opaque' | 'jwt';

/** The parties of one suite: the EHRs that make launches, the apps, the people. */
class LaunchWorld {
  private constructor(
    readonly suite: RunningSuite,
    readonly admin: string,
    readonly ehrKey: ClientKey,
    readonly jwtEhr: RegisteredClient,
    readonly app: RegisteredClient,
    readonly otherApp: RegisteredClient,
  ) {}

  /** A tag unique to this run, for patient ids (the shared suite keeps data of other test files). */
  readonly tag = randomBytes(3).toString('hex');

  static async create(suite: RunningSuite): Promise<LaunchWorld> {
    const admin = await adminToken(suite);
    const ehrKey = await clientKey('ES384');
    const jwtEhr = await register(suite, { client_name: 'Launch JWT EHR', grant_types: ['client_credentials'], token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [ehrKey.publicJwk] }, scope: 'launch' });
    const app = await register(suite, { ...APP, client_name: 'Launched App' });
    const otherApp = await register(suite, { ...APP, client_name: 'Another App' });
    return new LaunchWorld(suite, admin, ehrKey, jwtEhr, app, otherApp);
  }

  /** The EHR client behind a launch form: the bootstrap admin client (POST /launch) or the JWT EHR. */
  ehrOf(form: LaunchForm): string {
    return form === 'opaque' ? this.suite.adminClientId : this.jwtEhr.client_id;
  }

  /** A launch value of the given form naming `claims` (context and binding, as POST /launch members or JWT claims). */
  async launch(form: LaunchForm, claims: Record<string, unknown>): Promise<string> {
    if (form === 'jwt') {
      return new SignJWT(claims)
        .setProtectedHeader({ alg: this.ehrKey.alg, kid: this.ehrKey.kid })
        .setIssuer(this.jwtEhr.client_id)
        .setAudience(this.suite.issuer)
        .setIssuedAt()
        .setExpirationTime('2m')
        .setJti(randomUUID())
        .sign(this.ehrKey.privateKey);
    }
    const created = await call(this.suite, '/launch', { method: 'POST', headers: { authorization: bearer(this.admin), 'content-type': 'application/json' }, body: JSON.stringify(claims) });
    assert.equal(created.status, 201, created.text);
    return created.json.launch as string;
  }

  /** The app opens the launch at /authorize; `user` signs in and answers every page. Where the browser ends up. */
  async open(client: RegisteredClient, launch: string, user: TestUser): Promise<{ landed: URL; state: string; verifier: string }> {
    const jar = new CookieJar();
    const started = await startAuthorization(this.suite, jar, { client_id: client.client_id, redirect_uri: CALLBACK, scope: SCOPE, launch });
    assert.ok(started.interaction, `/authorize answered ${started.reply.status} ${started.reply.headers.get('location') ?? started.reply.text.slice(0, 300)}`);
    const answers: PageAnswers = { username: user.username, password: user.password };
    const landed = await completeInteraction(this.suite, jar, started.interaction, answers);
    return { landed, state: started.state, verifier: started.verifier };
  }

  /** The code of an allowed launch, exchanged: the token response. */
  async tokens(client: RegisteredClient, opened: { landed: URL; verifier: string }): Promise<Record<string, unknown>> {
    const code = opened.landed.searchParams.get('code');
    assert.ok(code, `no code: ${opened.landed.href}`);
    const reply = await tokenRequest(this.suite, { grant_type: 'authorization_code', code, redirect_uri: CALLBACK, code_verifier: opened.verifier }, { authorization: basicAuth(client.client_id, client.client_secret!) });
    assert.equal(reply.status, 200, reply.text);
    return reply.json;
  }

  /**
   * A refused launch: access_denied at the redirect URI with state and iss (RFC 6749 §4.1.2.1, RFC 9207), no
   * code, no grant for that user, client and patient, and its `launch.refused` event in the audit trail.
   */
  async assertRefused(opened: { landed: URL; state: string }, expected: { client: RegisteredClient; user: TestUser; patient: string; form: LaunchForm; reason: string }): Promise<void> {
    const { landed, state } = opened;
    assert.equal(landed.origin + landed.pathname, CALLBACK, `back at the app: ${landed.href}`);
    assert.equal(landed.searchParams.get('error'), 'access_denied', landed.href);
    assert.equal(landed.searchParams.get('state'), state);
    assert.equal(landed.searchParams.get('iss'), this.suite.issuer);
    assert.equal(landed.searchParams.get('code'), null, 'no code');
    assert.doesNotMatch(landed.searchParams.get('error_description') ?? '', new RegExp(expected.patient), 'the description names no patient');
    const auth = { headers: { authorization: bearer(this.admin) } };
    const grants = await call(this.suite, `/admin/grants?user_id=${expected.user.id}&client_id=${expected.client.client_id}&patient=${expected.patient}`, auth);
    assert.equal(grants.status, 200, grants.text);
    assert.deepEqual(grants.json.grants, [], 'no grant, so no code behind the scenes either');
    const query = `/admin/audit?type=launch.refused&client_id=${expected.client.client_id}&user_id=${expected.user.id}&patient=${expected.patient}&limit=1000`;
    let found: Record<string, unknown> | undefined;
    for (const deadline = Date.now() + 15_000; !found && Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
      const trail = await call(this.suite, query, auth);
      assert.equal(trail.status, 200, trail.text);
      const events = (trail.json.events as Array<{ event: { data: Record<string, unknown> } }>).map((e) => e.event.data);
      found = events.find((d) => d.launched_by === this.ehrOf(expected.form) && d.reason === expected.reason);
    }
    assert.ok(found, `launch.refused (${expected.reason}, by ${this.ehrOf(expected.form)}) in the audit trail`);
    assert.equal(found.user_id, expected.user.id);
    assert.equal(found.fhirUser, expected.user.fhirUser);
  }
}

describe('EHR launch contexts are bound: who may open a launch (issue #13)', () => {
  let suite: RunningSuite & { owned: boolean };
  let world: LaunchWorld;
  let patientUser: TestUser;
  let drA: TestUser;
  let drB: TestUser;
  let ptA1: string;
  let ptB1: string;
  let ptShared: string;
  let ownPatient: string;

  before(async () => {
    suite = await sharedSuite();
    world = await LaunchWorld.create(suite);
    ptA1 = `pt-a1-${world.tag}`;
    ptB1 = `pt-b1-${world.tag}`;
    ptShared = `pt-shared-${world.tag}`;
    ownPatient = `pt-self-${world.tag}`;
    patientUser = await createUser(suite, world.admin, { fhirUser: `Patient/${ownPatient}`, display_name: 'Pat Launch' });
    drA = await createUser(suite, world.admin, { fhirUser: `Practitioner/pr-a-${world.tag}`, display_name: 'Dr. A', patients: [{ id: ptA1, name: 'A One' }, { id: ptShared, name: 'Shared' }] });
    drB = await createUser(suite, world.admin, { fhirUser: `Practitioner/pr-b-${world.tag}`, display_name: 'Dr. B', patients: [{ id: ptB1, name: 'B One' }, { id: ptShared, name: 'Shared' }] });
  });
  after(async () => {
    if (suite?.owned) await suite.stop();
  });

  for (const form of ['opaque', 'jwt'] as const) {
    describe(`${form === 'opaque' ? 'opaque launch id (POST /launch)' : 'launch JWT'}`, () => {
      it('refuses a patient user opening a launch for another patient: access_denied, no code, audited', async () => {
        const opened = await world.open(world.app, await world.launch(form, { patient: ptA1 }), patientUser);
        await world.assertRefused(opened, { client: world.app, user: patientUser, patient: ptA1, form, reason: 'not_own_patient' });
      });

      it('refuses a practitioner opening a patient who is not on their list', async () => {
        const opened = await world.open(world.app, await world.launch(form, { patient: ptB1 }), drA);
        await world.assertRefused(opened, { client: world.app, user: drA, patient: ptB1, form, reason: 'patient_not_permitted' });
      });

      it('refuses, by default, a launch bound to the practitioner for a patient off their list (EHR_LAUNCH_TRUSTED is off)', async () => {
        const opened = await world.open(world.app, await world.launch(form, { patient: ptB1, user: drA.id }), drA);
        await world.assertRefused(opened, { client: world.app, user: drA, patient: ptB1, form, reason: 'patient_not_permitted' });
      });

      it('refuses a launch bound to another user, even for a patient the signed-in user may open', async () => {
        const byUsername = await world.open(world.app, await world.launch(form, { patient: ptShared, user: drA.username }), drB);
        await world.assertRefused(byUsername, { client: world.app, user: drB, patient: ptShared, form, reason: 'other_user' });
        const byFhirUser = await world.open(world.app, await world.launch(form, { patient: ptShared, fhirUser: drA.fhirUser }), drB);
        assert.equal(byFhirUser.landed.searchParams.get('error'), 'access_denied');
        assert.equal(byFhirUser.landed.searchParams.get('code'), null);
      });

      it('refuses a launch bound to another client; the client it was made for can still use it', async () => {
        const launch = await world.launch(form, { patient: ptA1, client_id: world.app.client_id });
        const stolen = await world.open(world.otherApp, launch, drA);
        await world.assertRefused(stolen, { client: world.otherApp, user: drA, patient: ptA1, form, reason: 'other_client' });
        const own = await world.open(world.app, launch, drA);
        assert.equal((await world.tokens(world.app, own)).patient, ptA1, 'the refused attempt did not spend the launch');
      });

      it('allows a patient user their own record', async () => {
        const opened = await world.open(world.app, await world.launch(form, { patient: ownPatient }), patientUser);
        const tokens = await world.tokens(world.app, opened);
        assert.equal(tokens.patient, ownPatient);
      });

      it('allows a practitioner a patient on their list', async () => {
        const opened = await world.open(world.app, await world.launch(form, { patient: ptA1 }), drA);
        const tokens = await world.tokens(world.app, opened);
        assert.equal(tokens.patient, ptA1);
        assert.equal(tokens.fhirUser, `${suite.fhirBaseUrl}/${drA.fhirUser}`);
      });

      it('allows a launch bound to the signed-in user (username, absolute fhirUser) and to this very client', async () => {
        // Dr. A, not Dr. B: Dr. B must never hold a grant for the shared patient (the refusals above check that).
        const launch = await world.launch(form, { patient: ptShared, user: drA.username, fhirUser: `${suite.fhirBaseUrl}/${drA.fhirUser}`, client_id: world.app.client_id });
        const tokens = await world.tokens(world.app, await world.open(world.app, launch, drA));
        assert.equal(tokens.patient, ptShared);
        for (const member of ['user', 'client_id']) assert.equal(tokens[member], undefined, `the binding (${member}) stays out of the token response`);
      });
    });
  }

  it('a consent posted straight after sign-in, skipping the pages in between, is refused all the same', async () => {
    const launch = await world.launch('opaque', { patient: ptA1 });
    const jar = new CookieJar();
    const started = await startAuthorization(suite, jar, { client_id: world.app.client_id, redirect_uri: CALLBACK, scope: SCOPE, launch });
    const login = await browse(suite, jar, started.interaction!);
    const csrf = csrfOf(login.text);
    const signedIn = await postForm(suite, jar, `${started.interaction}/login`, { csrf, username: patientUser.username, password: patientUser.password });
    assert.equal(signedIn.status, 303, signedIn.text.slice(0, 200));
    // The page after sign-in would refuse; the person posts an approval instead of following it.
    const consent = await postForm(suite, jar, `${started.interaction}/consent`, [['csrf', csrf], ...SCOPE.split(' ').map((s): [string, string] => ['scope', s]), ['decision', 'approve']]);
    assert.equal(consent.status, 303, consent.text.slice(0, 200));
    const landed = new URL(consent.headers.get('location')!);
    await world.assertRefused({ landed, state: started.state }, { client: world.app, user: patientUser, patient: ptA1, form: 'opaque', reason: 'not_own_patient' });
  });

  it('POST /launch checks the binding: an unknown client_id, a fhirUser on another server, a user that is not a string', async () => {
    const post = (body: Record<string, unknown>) => call(suite, '/launch', { method: 'POST', headers: { authorization: bearer(world.admin), 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assertOAuthError(await post({ patient: ptA1, client_id: `no-such-client-${world.tag}` }), 400, 'invalid_request');
    assertOAuthError(await post({ patient: ptA1, fhirUser: 'https://elsewhere.example/fhir/Practitioner/pr-1' }), 400, 'invalid_request');
    assertOAuthError(await post({ patient: ptA1, fhirUser: 'Observation/o-1' }), 400, 'invalid_request');
    assertOAuthError(await post({ patient: ptA1, user: 7 }), 400, 'invalid_request');
    assert.equal((await post({ patient: ptA1, user: drA.username, fhirUser: drA.fhirUser, client_id: world.app.client_id })).status, 201);
  });

  it('a launch JWT with a malformed binding claim yields no code', async () => {
    const launch = await world.launch('jwt', { patient: ptA1, fhirUser: 'Observation/o-1' });
    const jar = new CookieJar();
    const started = await startAuthorization(suite, jar, { client_id: world.app.client_id, redirect_uri: CALLBACK, scope: SCOPE, launch });
    assert.ok(started.interaction, 'the error waits for sign-in (RFC 9700 §4.11.2)');
    const landed = await completeInteraction(suite, jar, started.interaction, { username: drA.username, password: drA.password });
    assert.equal(landed.searchParams.get('error'), 'invalid_request');
    assert.match(landed.searchParams.get('error_description') ?? '', /fhirUser/);
    assert.equal(landed.searchParams.get('code'), null);
  });
});

describe('EHR_LAUNCH_TRUSTED=true: the EHR vouches for a launch bound to a practitioner', () => {
  let suite: RunningSuite;
  let world: LaunchWorld;
  let patientUser: TestUser;
  let drA: TestUser;

  before(async () => {
    suite = await startSuite({ env: { EHR_LAUNCH_TRUSTED: 'true' } });
    world = await LaunchWorld.create(suite);
    patientUser = await createUser(suite, world.admin, { fhirUser: 'Patient/pt-own', display_name: 'Pat Trusted' });
    drA = await createUser(suite, world.admin, { fhirUser: 'Practitioner/pr-a', display_name: 'Dr. A', patients: [{ id: 'pt-a1', name: 'A One' }] });
  });
  after(async () => {
    await suite?.stop();
  });

  it('a launch bound to the practitioner opens a patient off their list; unbound, or bound to a patient user, it does not', async () => {
    const bound = await world.open(world.app, await world.launch('opaque', { patient: 'pt-elsewhere', user: drA.username }), drA);
    assert.equal((await world.tokens(world.app, bound)).patient, 'pt-elsewhere');
    const byFhirUser = await world.open(world.app, await world.launch('jwt', { patient: 'pt-elsewhere-2', fhirUser: drA.fhirUser }), drA);
    assert.equal((await world.tokens(world.app, byFhirUser)).patient, 'pt-elsewhere-2');

    const unbound = await world.open(world.app, await world.launch('opaque', { patient: 'pt-unbound' }), drA);
    await world.assertRefused(unbound, { client: world.app, user: drA, patient: 'pt-unbound', form: 'opaque', reason: 'patient_not_permitted' });
    const patientSide = await world.open(world.app, await world.launch('opaque', { patient: 'pt-a1', user: patientUser.username }), patientUser);
    await world.assertRefused(patientSide, { client: world.app, user: patientUser, patient: 'pt-a1', form: 'opaque', reason: 'not_own_patient' });
  });
});
