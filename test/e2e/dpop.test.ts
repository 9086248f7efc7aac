// DPoP (RFC 9449, issue #18) through the real gateway with oauth4webapi (a strict client: its DPoP() handle makes
// the proofs) and hand-made proofs for what such a client never sends. The codes come from the real login and
// consent pages, driven with fetch (support/form-flow.ts).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { calculateJwkThumbprint, decodeJwt, exportJWK } from 'jose';
import * as oauth from 'oauth4webapi';
import { sharedSuite, type RunningSuite } from '#testing';
import { dpopTokenRequest, ProofMaker, tokenRequestWithHeaders } from './support/dpop.js';
import { browse, completeInteraction, CookieJar, obtainCode } from './support/form-flow.js';
import { assertOAuthError, basicAuth, call, form, manage, register, tokenRequest, type RegisteredClient } from './support/http.js';
import { authorizationServer, INSECURE, push } from './support/par.js';
import { adminToken, createUser, type TestUser } from './support/people.js';

const CALLBACK = 'https://dpop-app.example/callback';
const SCOPE = 'launch/patient openid fhirUser offline_access patient/*.rs';

describe('DPoP (RFC 9449) at /token, with oauth4webapi', () => {
  let suite: RunningSuite & { owned: boolean };
  let as: oauth.AuthorizationServer;
  let machine: RegisteredClient;
  let publicApp: RegisteredClient;
  let patient: TestUser;
  let maker: ProofMaker;

  const machineAuth = (c: RegisteredClient) => oauth.ClientSecretBasic(c.client_secret!);
  const thumbprintOf = async (pair: Awaited<ReturnType<typeof oauth.generateKeyPair>>) => calculateJwkThumbprint(await exportJWK(pair.publicKey), 'sha256');
  const introspected = async (token: string) => (await form(suite, '/introspect', { token }, { authorization: basicAuth(suite.adminClientId, suite.adminClientSecret) })).json;
  const machineToken = (c: RegisteredClient, proof?: string) => dpopTokenRequest(suite, { grant_type: 'client_credentials' }, proof, { authorization: basicAuth(c.client_id, c.client_secret!) });

  before(async () => {
    suite = await sharedSuite();
    as = await authorizationServer(suite);
    maker = await ProofMaker.create(suite);
    machine = await register(suite, { client_name: 'DPoP machine', grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic', scope: 'system/Patient.rs' });
    publicApp = await register(suite, { client_name: 'DPoP public app', redirect_uris: [CALLBACK], grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], scope: SCOPE, token_endpoint_auth_method: 'none' });
    patient = await createUser(suite, await adminToken(suite), { fhirUser: 'Patient/pt-dpop', display_name: 'Dora Dpop' });
  });
  after(async () => {
    if (suite?.owned) await suite.stop();
  });

  it('every discovery document advertises dpop_signing_alg_values_supported (RFC 9449 §5.1): asymmetric only', async () => {
    for (const path of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server', '/.well-known/smart-configuration', '/fhir/.well-known/smart-configuration']) {
      const algs = (await call(suite, path)).json.dpop_signing_alg_values_supported as string[];
      assert.ok(Array.isArray(algs), path);
      for (const alg of ['ES256', 'ES384', 'RS256', 'PS256']) assert.ok(algs.includes(alg), `${path} ${alg}`);
      assert.ok(!algs.some((alg) => alg === 'none' || alg.startsWith('HS')), path);
    }
  });

  it('client_credentials with a proof: token_type DPoP, cnf.jkt the RFC 7638 thumbprint of the key, introspected as DPoP with cnf', async () => {
    const keys = await oauth.generateKeyPair('ES256');
    const client: oauth.Client = { client_id: machine.client_id };
    const response = await oauth.clientCredentialsGrantRequest(as, client, machineAuth(machine), { scope: 'system/Patient.rs' }, { ...INSECURE, DPoP: oauth.DPoP(client, keys) });
    const tokens = await oauth.processClientCredentialsResponse(as, client, response);
    assert.equal(tokens.token_type, 'dpop');
    const jkt = await thumbprintOf(keys);
    assert.deepEqual(decodeJwt(tokens.access_token).cnf, { jkt });
    const info = await introspected(tokens.access_token);
    assert.equal(info.active, true);
    assert.equal(info.token_type, 'DPoP');
    assert.deepEqual(info.cnf, { jkt });
  });

  it('a Bearer client is unchanged: no proof, token_type Bearer, no cnf, introspected as Bearer', async () => {
    const reply = await machineToken(machine, undefined);
    assert.equal(reply.status, 200, reply.text);
    assert.equal(reply.json.token_type, 'Bearer');
    assert.equal(decodeJwt(reply.json.access_token as string).cnf, undefined);
    const info = await introspected(reply.json.access_token as string);
    assert.equal(info.token_type, 'Bearer');
    assert.equal(info.cnf, undefined);
  });

  it('every invalid proof of RFC 9449 §4.3 is 400 invalid_dpop_proof, and gets no token', async () => {
    const replayed = await maker.proof();
    assert.equal((await machineToken(machine, replayed)).status, 200);
    const cases: Array<[string, string, RegExp]> = [
      ['two proofs in one header (item 1)', `${await maker.proof()}, ${await maker.proof()}`, /not a signed JWT/],
      ['htm GET (item 8)', await maker.proof({ claims: { htm: 'GET' } }), /htm must be POST/],
      ['htu of /par (item 9)', await maker.proof({ claims: { htu: `${suite.issuer}/par` } }), /htu must be/],
      ['htu of another host (item 9)', await maker.proof({ claims: { htu: 'https://elsewhere.example/token' } }), /htu must be/],
      ['iat two minutes old (item 11)', await maker.proof({ claims: { iat: Math.floor(Date.now() / 1000) - 120 } }), /too old/],
      ['alg none (item 5)', maker.unsigned(), /alg must be one of/],
      ['HS256 (item 5)', maker.hmac(), /alg must be one of/],
      ['a private key in jwk (item 7)', await maker.proof({ header: { jwk: maker.privateJwk } }), /private key members/],
      ['typ JWT (item 4)', await maker.proof({ header: { typ: 'JWT' } }), /typ must be dpop\+jwt/],
      ['a replayed jti (§11.1)', replayed, /used before/],
    ];
    for (const [name, proof, description] of cases) {
      const reply = await machineToken(machine, proof);
      assertOAuthError(reply, 400, 'invalid_dpop_proof', name);
      assert.match(String(reply.json.error_description), description, name);
      assert.match(reply.headers.get('cache-control') ?? '', /no-store/, name);
    }
    // Two DPoP header lines, each a valid proof (§4.3 item 1): the gateway forwards both, and they are refused.
    const twice = await tokenRequestWithHeaders(suite, { grant_type: 'client_credentials' }, [await maker.proof(), await maker.proof()], basicAuth(machine.client_id, machine.client_secret!));
    assert.equal(twice.status, 400);
    assert.equal(twice.json.error, 'invalid_dpop_proof');
    assert.match(String(twice.json.error_description), /exactly one DPoP header/);
  });

  it('dpop_bound_access_tokens (RFC 9449 §5.2) is echoed by registration and RFC 7592, and such a client never gets a Bearer token', async () => {
    const bound = await register(suite, { client_name: 'Always DPoP', grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic', scope: 'system/Patient.rs', dpop_bound_access_tokens: true });
    assert.equal(bound.dpop_bound_access_tokens, true);
    assert.equal((await manage(suite, bound.client_id, 'GET', bound.registration_access_token)).json.dpop_bound_access_tokens, true);
    const refused = await machineToken(bound, undefined);
    assertOAuthError(refused, 400, 'invalid_dpop_proof');
    assert.match(String(refused.json.error_description), /dpop_bound_access_tokens/);
    const accepted = await machineToken(bound, await maker.proof());
    assert.equal(accepted.status, 200, accepted.text);
    assert.equal(accepted.json.token_type, 'DPoP');
    assert.deepEqual(decodeJwt(accepted.json.access_token as string).cnf, { jkt: await calculateJwkThumbprint(maker.publicJwk, 'sha256') });
  });

  /** A code of the public app, bound with `dpop_jkt` when given. */
  const codeOf = (dpopJkt?: string) =>
    obtainCode(suite, { client_id: publicApp.client_id, redirect_uri: CALLBACK, scope: SCOPE, ...(dpopJkt ? { dpop_jkt: dpopJkt } : {}) }, { username: patient.username, password: patient.password });

  it('a code bound with dpop_jkt (RFC 9449 §10) is refused with a proof of another key, and redeemed with its own', async () => {
    const keys = await oauth.generateKeyPair('ES256');
    const client: oauth.Client = { client_id: publicApp.client_id };
    const handle = oauth.DPoP(client, keys);
    const jkt = await handle.calculateThumbprint();
    assert.equal(jkt, await thumbprintOf(keys));

    const stolen = await codeOf(jkt);
    const params = { grant_type: 'authorization_code', client_id: publicApp.client_id, code: stolen.code, redirect_uri: CALLBACK, code_verifier: stolen.verifier };
    const otherProof = await ProofMaker.create(suite);
    assertOAuthError(await dpopTokenRequest(suite, params, await otherProof.proof()), 400, 'invalid_grant', 'another key');

    const obtained = await codeOf(jkt);
    const callback = oauth.validateAuthResponse(as, client, obtained.callback, obtained.state);
    const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), callback, CALLBACK, obtained.verifier, { ...INSECURE, DPoP: handle });
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, response);
    assert.equal(tokens.token_type, 'dpop');
    assert.deepEqual(decodeJwt(tokens.access_token).cnf, { jkt });
    assert.equal(tokens.patient, 'pt-dpop');
  });

  it('dpop_jkt in a pushed request (RFC 9449 §10, RFC 9126) binds the code as well', async () => {
    const client: oauth.Client = { client_id: publicApp.client_id };
    const handle = oauth.DPoP(client, await oauth.generateKeyPair('ES256'));
    const flow = await push(as, client, oauth.None(), { redirect_uri: CALLBACK, scope: SCOPE, aud: suite.fhirBaseUrl, dpop_jkt: await handle.calculateThumbprint() });
    const jar = new CookieJar();
    const first = await browse(suite, jar, `${flow.authorizeUrl.pathname}${flow.authorizeUrl.search}`);
    assert.equal(first.status, 303, first.text);
    const callback = await completeInteraction(suite, jar, first.headers.get('location')!, { username: patient.username, password: patient.password });
    const code = callback.searchParams.get('code')!;
    const params = { grant_type: 'authorization_code', client_id: publicApp.client_id, code, redirect_uri: CALLBACK, code_verifier: flow.verifier };
    const refused = await dpopTokenRequest(suite, params, await maker.proof());
    assertOAuthError(refused, 400, 'invalid_grant');
    assert.match(String(refused.json.error_description), /bound to another DPoP key/);
  });

  it('an unbound refresh token of a public client becomes bound once refreshed with a proof (RFC 9449 §5)', async () => {
    const plain = await codeOf();
    const bearer = await tokenRequest(suite, { grant_type: 'authorization_code', client_id: publicApp.client_id, code: plain.code, redirect_uri: CALLBACK, code_verifier: plain.verifier });
    const refreshed = await dpopTokenRequest(suite, { grant_type: 'refresh_token', refresh_token: bearer.json.refresh_token as string }, await maker.proof());
    assert.equal(refreshed.status, 200, refreshed.text);
    assert.equal(refreshed.json.token_type, 'DPoP');
    assertOAuthError(await tokenRequest(suite, { grant_type: 'refresh_token', refresh_token: refreshed.json.refresh_token as string }), 400, 'invalid_grant', 'now bound');
  });

  it('a DPoP proof sent with the push (RFC 9449 §10.1, oauth4webapi) binds the code; a dpop_jkt naming another key is invalid_dpop_proof', async () => {
    const client: oauth.Client = { client_id: publicApp.client_id };
    const handle = oauth.DPoP(client, await oauth.generateKeyPair('ES256'));
    const verifier = oauth.generateRandomCodeVerifier();
    const pushParams = { response_type: 'code', redirect_uri: CALLBACK, scope: SCOPE, aud: suite.fhirBaseUrl, state: 's', code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' };
    const mismatched = await oauth.pushedAuthorizationRequest(as, client, oauth.None(), { ...pushParams, dpop_jkt: 'A'.repeat(43) }, { ...INSECURE, DPoP: handle });
    assert.equal(mismatched.status, 400);
    assert.equal(((await mismatched.json()) as { error: string }).error, 'invalid_dpop_proof');

    const pushed = await oauth.processPushedAuthorizationResponse(as, client, await oauth.pushedAuthorizationRequest(as, client, oauth.None(), pushParams, { ...INSECURE, DPoP: handle }));
    const jar = new CookieJar();
    const first = await browse(suite, jar, `/authorize?client_id=${publicApp.client_id}&request_uri=${encodeURIComponent(pushed.request_uri)}`);
    assert.equal(first.status, 303, first.text);
    const callback = await completeInteraction(suite, jar, first.headers.get('location')!, { username: patient.username, password: patient.password });
    const params = { grant_type: 'authorization_code', client_id: publicApp.client_id, code: callback.searchParams.get('code')!, redirect_uri: CALLBACK, code_verifier: verifier };
    const refused = await dpopTokenRequest(suite, params, await maker.proof());
    assertOAuthError(refused, 400, 'invalid_grant');
    assert.match(String(refused.json.error_description), /bound to another DPoP key/);
  });

  it('a code without dpop_jkt is redeemed without a proof (Bearer), or with one (DPoP)', async () => {
    const plain = await codeOf();
    const bearer = await tokenRequest(suite, { grant_type: 'authorization_code', client_id: publicApp.client_id, code: plain.code, redirect_uri: CALLBACK, code_verifier: plain.verifier });
    assert.equal(bearer.status, 200, bearer.text);
    assert.equal(bearer.json.token_type, 'Bearer');
    const withProof = await codeOf();
    const dpop = await dpopTokenRequest(suite, { grant_type: 'authorization_code', client_id: publicApp.client_id, code: withProof.code, redirect_uri: CALLBACK, code_verifier: withProof.verifier }, await maker.proof());
    assert.equal(dpop.status, 200, dpop.text);
    assert.equal(dpop.json.token_type, 'DPoP');
    // RFC 9449 §7.2: the suite's own endpoints check no proofs, so a bound token is not taken there as a bearer token.
    assert.equal((await call(suite, '/userinfo', { headers: { authorization: `Bearer ${bearer.json.access_token as string}` } })).status, 200);
    const userinfo = await call(suite, '/userinfo', { headers: { authorization: `Bearer ${dpop.json.access_token as string}` } });
    assertOAuthError(userinfo, 401, 'invalid_token');
    assert.match(String(userinfo.json.error_description), /DPoP-bound/);
  });

  it('the refresh token of a public client is bound to its DPoP key (RFC 9449 §5): another key or none is invalid_grant and spends nothing', async () => {
    const keys = await oauth.generateKeyPair('ES256');
    const client: oauth.Client = { client_id: publicApp.client_id };
    const handle = oauth.DPoP(client, keys);
    const obtained = await codeOf();
    const callback = oauth.validateAuthResponse(as, client, obtained.callback, obtained.state);
    const first = await oauth.processAuthorizationCodeResponse(as, client, await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), callback, CALLBACK, obtained.verifier, { ...INSECURE, DPoP: handle }));
    const refreshToken = first.refresh_token!;

    const withoutProof = await tokenRequest(suite, { grant_type: 'refresh_token', refresh_token: refreshToken });
    assertOAuthError(withoutProof, 400, 'invalid_grant', 'no proof');
    assert.match(String(withoutProof.json.error_description), /DPoP proof is required/);
    const otherKey = await dpopTokenRequest(suite, { grant_type: 'refresh_token', refresh_token: refreshToken }, await maker.proof());
    assertOAuthError(otherKey, 400, 'invalid_grant', 'another key');
    assert.match(String(otherKey.json.error_description), /another DPoP key/);

    // Neither attempt spent the token nor revoked the grant: the key holder refreshes, and the successor is bound too.
    const refreshed = await oauth.processRefreshTokenResponse(as, client, await oauth.refreshTokenGrantRequest(as, client, oauth.None(), refreshToken, { ...INSECURE, DPoP: handle }));
    assert.equal(refreshed.token_type, 'dpop');
    assert.deepEqual(decodeJwt(refreshed.access_token).cnf, { jkt: await thumbprintOf(keys) });
    assert.notEqual(refreshed.refresh_token, refreshToken);
    assertOAuthError(await tokenRequest(suite, { grant_type: 'refresh_token', refresh_token: refreshed.refresh_token! }), 400, 'invalid_grant', 'the successor is bound');
    assert.equal((await introspected(refreshed.access_token)).active, true, 'the grant was not revoked');
  });
});
