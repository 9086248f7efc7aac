// RFC 6749 §6 and SMART App Launch 2.2 §"Refresh access token": a public client (token_endpoint_auth_method
// `none`) may refresh without identifying itself ("For public apps, authentication is not possible (and thus not
// required)"); the client is the one the refresh token was issued to. A confidential client's refresh token
// without client authentication is refused with 401 invalid_client, and is neither spent nor rotated.
// Raw HTTP against the token endpoint; the codes come from the real login and consent pages.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import { sharedSuite, type RunningSuite } from '#testing';
import { obtainCode } from './support/form-flow.js';
import { assertOAuthError, basicAuth, register, tokenRequest, type RegisteredClient, type Reply } from './support/http.js';
import { adminToken, createUser, type TestUser } from './support/people.js';

const CALLBACK = 'https://refresh-app.example/callback';
const SCOPE = 'launch/patient openid fhirUser offline_access patient/*.rs';

describe('refresh without client identification (RFC 6749 §6)', () => {
  let suite: RunningSuite & { owned: boolean };
  let patient: TestUser;
  let publicApp: RegisteredClient;
  let otherPublicApp: RegisteredClient;
  let confidentialApp: RegisteredClient;

  before(async () => {
    suite = await sharedSuite();
    patient = await createUser(suite, await adminToken(suite), { fhirUser: 'Patient/pt-refresh', display_name: 'Robin Refresh' });
    const metadata = { redirect_uris: [CALLBACK], grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], scope: SCOPE };
    publicApp = await register(suite, { ...metadata, client_name: 'Public refresher', token_endpoint_auth_method: 'none' });
    otherPublicApp = await register(suite, { ...metadata, client_name: 'Another public app', token_endpoint_auth_method: 'none' });
    confidentialApp = await register(suite, { ...metadata, client_name: 'Confidential refresher', token_endpoint_auth_method: 'client_secret_basic' });
  });
  after(async () => {
    if (suite?.owned) await suite.stop();
  });

  /** Signs the patient in, consents, and redeems the code the client's way: the token response. */
  async function tokensOf(client: RegisteredClient): Promise<Reply> {
    const { code, verifier } = await obtainCode(suite, { client_id: client.client_id, redirect_uri: CALLBACK, scope: SCOPE }, { username: patient.username, password: patient.password });
    const exchange = { grant_type: 'authorization_code', code, redirect_uri: CALLBACK, code_verifier: verifier };
    const reply = client.client_secret
      ? await tokenRequest(suite, exchange, { authorization: basicAuth(client.client_id, client.client_secret) })
      : await tokenRequest(suite, { ...exchange, client_id: client.client_id });
    assert.equal(reply.status, 200, reply.text);
    assert.equal(typeof reply.json.refresh_token, 'string', 'offline_access gives a refresh token');
    return reply;
  }

  it('a public client refreshes with grant_type and refresh_token only; the token rotates and reuse still revokes the grant', async () => {
    const first = await tokensOf(publicApp);
    const refreshed = await tokenRequest(suite, { grant_type: 'refresh_token', refresh_token: first.json.refresh_token as string });
    assert.equal(refreshed.status, 200, refreshed.text);
    assert.equal(refreshed.json.token_type, 'Bearer');
    assert.equal(refreshed.json.patient, 'pt-refresh');
    assert.equal(refreshed.json.scope, SCOPE);
    assert.equal(typeof refreshed.json.refresh_token, 'string');
    assert.notEqual(refreshed.json.refresh_token, first.json.refresh_token, 'rotated');
    assert.equal(decodeJwt(refreshed.json.access_token as string).client_id, publicApp.client_id, 'issued to the client the refresh token belongs to');
    assert.equal(decodeJwt(refreshed.json.id_token as string).aud, publicApp.client_id);
    assert.match(refreshed.headers.get('cache-control') ?? '', /no-store/);

    // The spent token again, still without client_id: reuse is detected and the whole grant ends (RFC 9700 §4.14.2).
    assertOAuthError(await tokenRequest(suite, { grant_type: 'refresh_token', refresh_token: first.json.refresh_token as string }), 400, 'invalid_grant', 'reuse');
    assertOAuthError(await tokenRequest(suite, { grant_type: 'refresh_token', refresh_token: refreshed.json.refresh_token as string }), 400, 'invalid_grant', 'the newest token died with the grant');
  });

  it("a client_id that is sent must be the token's client: another public client's id is refused, and the token stays usable", async () => {
    const tokens = await tokensOf(publicApp);
    const refreshToken = tokens.json.refresh_token as string;
    assertOAuthError(await tokenRequest(suite, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: otherPublicApp.client_id }), 400, 'invalid_grant');
    const own = await tokenRequest(suite, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: publicApp.client_id });
    assert.equal(own.status, 200, own.text);
  });

  it("a confidential client's refresh token without client authentication gets 401 invalid_client and is neither spent nor rotated", async () => {
    const tokens = await tokensOf(confidentialApp);
    const refreshToken = tokens.json.refresh_token as string;
    for (const [what, params] of [
      ['no client identification', { grant_type: 'refresh_token', refresh_token: refreshToken }],
      ['its client_id without the secret', { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: confidentialApp.client_id }],
    ] as const) {
      const refused = await tokenRequest(suite, params);
      assertOAuthError(refused, 401, 'invalid_client', what);
      assert.equal(refused.json.access_token, undefined);
    }
    // Had either refused request spent the token, this would be a reuse (400, and the grant revoked).
    const authenticated = await tokenRequest(suite, { grant_type: 'refresh_token', refresh_token: refreshToken }, { authorization: basicAuth(confidentialApp.client_id, confidentialApp.client_secret!) });
    assert.equal(authenticated.status, 200, authenticated.text);
    assert.notEqual(authenticated.json.refresh_token, refreshToken);
  });

  it('an unknown refresh token without client identification gets 400 invalid_grant', async () => {
    assertOAuthError(await tokenRequest(suite, { grant_type: 'refresh_token', refresh_token: 'not-a-refresh-token' }), 400, 'invalid_grant');
    assertOAuthError(await tokenRequest(suite, { grant_type: 'refresh_token' }), 400, 'invalid_request', 'no refresh_token at all');
  });
});
