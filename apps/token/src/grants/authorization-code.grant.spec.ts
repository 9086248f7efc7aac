import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { decodeProtectedHeader, exportJWK, generateKeyPair, importJWK, jwtVerify, type CryptoKey, type JWK } from 'jose';
import { Rpc, type AuthorizedGrant, type ClientRecord, type EventEnvelope, type TokenEndpointAuthMethod } from '#contracts';
import { InProcessEventBus, loadConfig, SigningKey, SigningKeyRing, type ServiceBus } from '#nest';
import { InvalidGrant, KeyEncryption, type OAuthError } from '#oauth';
import { TokenConfig } from '../config/token.config.js';
import { AccessTokenIssuer } from '../tokens/access-token.issuer.js';
import { GrantTokenResponse } from '../tokens/grant-token.response.js';
import { IdTokenIssuer } from '../tokens/id-token.issuer.js';
import { AuthorizationCodeGrant } from './authorization-code.grant.js';

const ISSUER = 'https://auth.example';
const FHIR = 'https://fhir.example/r4';
const now = () => Math.floor(Date.now() / 1000);

function client(options: { id?: string; method?: TokenEndpointAuthMethod; grants?: string[]; idTokenAlg?: string } = {}): ClientRecord {
  return {
    client_id: options.id ?? 'app-1',
    metadata: {
      redirect_uris: ['https://app.example/cb'],
      token_endpoint_auth_method: options.method ?? 'client_secret_basic',
      grant_types: options.grants ?? ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      scope: 'openid fhirUser launch/patient offline_access patient/*.rs',
      ...(options.idTokenAlg ? { id_token_signed_response_alg: options.idTokenAlg } : {}),
    },
    client_id_issued_at: 0,
    revision: 1,
  };
}

const fullGrant = (): AuthorizedGrant => ({
  grant_id: 'grant-1',
  client_id: 'app-1',
  sub: 'user-42',
  scope: 'openid fhirUser profile launch/patient offline_access patient/*.rs',
  fhirUser: `${FHIR}/Patient/123`,
  name: 'Amy Shaw',
  nonce: 'n-0S6_WzA2Mj',
  auth_time: now() - 30,
  refresh_token: 'rt-1',
  refresh_token_expires_in: 7_776_000,
  patient: '123',
  encounter: 'enc-9',
  need_patient_banner: true,
  smart_style_url: 'https://ehr.example/style.json',
  fhirContext: [{ reference: 'DiagnosticReport/7', role: 'https://example.org/role' }],
  intent: 'reconcile-medications',
});

/** OIDC Core §3.1.3.6, computed here independently of the issuer. */
const atHash = (accessToken: string, hash = 'sha256') => {
  const digest = createHash(hash).update(Buffer.from(accessToken, 'ascii')).digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
};

/** The authorization service's `code.redeem` answer (a fake collaborator), with what it was asked. */
function authorizationService(answer: () => AuthorizedGrant | Promise<AuthorizedGrant>) {
  const calls: Array<{ subject: string; payload: unknown }> = [];
  const bus = {
    async request(route: { subject: string }, payload: unknown) {
      calls.push({ subject: route.subject, payload });
      return answer();
    },
  } as unknown as ServiceBus;
  return { bus, calls };
}

async function keyPair(alg: string, kid: string): Promise<{ signing: SigningKey; verification: CryptoKey }> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return {
    signing: await SigningKey.fromJwk(kid, alg, (await exportJWK(privateKey)) as Record<string, unknown>),
    verification: (await importJWK((await exportJWK(publicKey)) as JWK, alg)) as CryptoKey,
  };
}

Logger.overrideLogger(false);
describe('authorization_code grant', async () => {
  const config = loadConfig(TokenConfig, { KEY_ENCRYPTION_KEY: KeyEncryption.generateSetting(), ISSUER, FHIR_BASE_URL: FHIR, LOG_LEVEL: 'error' });
  const es = await keyPair('ES256', 'es-1');
  const rs = await keyPair('RS256', 'rs-1');
  const fullRing = SigningKeyRing.of([es.signing, rs.signing]);

  function grantWith(answer: () => AuthorizedGrant | Promise<AuthorizedGrant> = fullGrant, keys = fullRing) {
    const events = new InProcessEventBus();
    const issued: EventEnvelope[] = [];
    events.subscribe('>', (e) => issued.push(e));
    const authorization = authorizationService(answer);
    const response = new GrantTokenResponse(config, new AccessTokenIssuer(config, keys, events), new IdTokenIssuer(config, keys));
    return { grant: new AuthorizationCodeGrant(authorization.bus, response), calls: authorization.calls, issued };
  }
  const params = { code: 'code-1', redirect_uri: 'https://app.example/cb', code_verifier: 'v'.repeat(43) };

  it('redeems the code with the authorization service, passing what it checks', async () => {
    const { grant, calls } = grantWith();
    await grant.handle({ client: client(), params, requestId: 'req-1' });
    assert.equal(calls.length, 1);
    assert.equal(calls[0]!.subject, Rpc.authorization.redeemCode.subject);
    assert.deepEqual(calls[0]!.payload, { ...params, client_id: 'app-1', requestId: 'req-1' });
  });

  it('answers the SMART token response with every field the grant carries', async () => {
    const { grant } = grantWith();
    const body = await grant.handle({ client: client(), params });
    assert.deepEqual(Object.keys(body).sort(), [
      'access_token',
      'encounter',
      'expires_in',
      'fhirContext',
      'fhirUser',
      'id_token',
      'intent',
      'need_patient_banner',
      'patient',
      'refresh_token',
      'scope',
      'smart_style_url',
      'token_type',
    ]);
    const expected = fullGrant();
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, 3600);
    assert.equal(body.scope, expected.scope);
    assert.equal(body.refresh_token, 'rt-1');
    assert.equal(body.patient, '123');
    assert.equal(body.encounter, 'enc-9');
    assert.equal(body.fhirUser, expected.fhirUser);
    assert.equal(body.need_patient_banner, true);
    assert.equal(body.smart_style_url, expected.smart_style_url);
    assert.deepEqual(body.fhirContext, expected.fhirContext);
    assert.equal(body.intent, 'reconcile-medications');
  });

  it('signs an access token carrying grant_id and the launch context, and announces it', async () => {
    const { grant, issued } = grantWith();
    const body = await grant.handle({ client: client(), params, requestId: 'req-2' });
    const { payload, protectedHeader } = await jwtVerify(body.access_token, es.verification, { issuer: ISSUER, audience: FHIR, typ: 'at+jwt' });
    assert.deepEqual(protectedHeader, { alg: 'ES256', kid: 'es-1', typ: 'at+jwt' });
    // The whole launch context is signed in, so introspection can echo it (SMART token-introspection, IN-03).
    assert.deepEqual(Object.keys(payload).sort(), ['aud', 'client_id', 'encounter', 'exp', 'fhirContext', 'fhirUser', 'grant_id', 'iat', 'intent', 'iss', 'jti', 'need_patient_banner', 'patient', 'scope', 'smart_style_url', 'sub']);
    assert.equal(payload.sub, 'user-42');
    assert.equal(payload.client_id, 'app-1');
    assert.equal(payload.grant_id, 'grant-1');
    assert.equal(payload.patient, '123');
    assert.equal(payload.encounter, 'enc-9');
    assert.equal(payload.fhirUser, `${FHIR}/Patient/123`);
    assert.equal(payload.exp, payload.iat! + 3600);

    assert.equal(issued.length, 1);
    assert.equal(issued[0]!.type, 'token.issued');
    assert.equal(issued[0]!.request_id, 'req-2');
    assert.deepEqual(issued[0]!.data, {
      jti: payload.jti,
      client_id: 'app-1',
      sub: 'user-42',
      grant_type: 'authorization_code',
      scope: fullGrant().scope,
      aud: FHIR,
      iat: payload.iat,
      exp: payload.exp,
      kid: 'es-1',
      grant_id: 'grant-1',
      patient: '123',
    });
  });

  it('issues an RS256 ID token for the client, with nonce and at_hash (OIDC Core §2, §3.1.3.6)', async () => {
    // One grant for the answer and the expectations: fullGrant() reads the clock, and a second may pass in between.
    const expected = fullGrant();
    const { grant } = grantWith(() => expected);
    const before = now();
    const body = await grant.handle({ client: client(), params });
    const { payload, protectedHeader } = await jwtVerify(body.id_token!, rs.verification, { issuer: ISSUER, audience: 'app-1', typ: 'JWT' });
    assert.deepEqual(protectedHeader, { alg: 'RS256', kid: 'rs-1', typ: 'JWT' });
    assert.equal(payload.sub, 'user-42');
    assert.equal(payload.aud, 'app-1');
    assert.equal(payload.azp, 'app-1');
    assert.equal(payload.nonce, expected.nonce);
    assert.equal(payload.at_hash, atHash(body.access_token));
    assert.equal(payload.auth_time, expected.auth_time);
    assert.equal(payload.fhirUser, expected.fhirUser);
    assert.equal(payload.name, 'Amy Shaw');
    assert.ok(payload.iat! >= before && payload.exp === payload.iat! + 3600);
    assert.equal(payload.patient, undefined); // context is for the access token and the response only
    assert.equal(payload.grant_id, undefined);
  });

  it('answers only the RFC 6749 fields for a grant without openid, refresh token or context', async () => {
    const { grant, issued } = grantWith(() => ({ grant_id: 'g-2', client_id: 'app-1', sub: 'user-7', scope: 'user/*.rs', auth_time: now() }));
    const body = await grant.handle({ client: client(), params });
    assert.deepEqual(Object.keys(body).sort(), ['access_token', 'expires_in', 'scope', 'token_type']);
    assert.equal(body.scope, 'user/*.rs');
    const { payload } = await jwtVerify(body.access_token, es.verification, { issuer: ISSUER, typ: 'at+jwt' });
    assert.equal(payload.grant_id, 'g-2');
    assert.equal(payload.patient, undefined);
    assert.equal((issued[0]!.data as { patient?: string }).patient, undefined);
  });

  it('leaves name out of the ID token without the profile scope, and nonce out when none was sent', async () => {
    const withoutNonce = { ...fullGrant(), scope: 'openid fhirUser launch/patient' };
    delete withoutNonce.nonce;
    const { grant } = grantWith(() => withoutNonce);
    const body = await grant.handle({ client: client(), params });
    const { payload } = await jwtVerify(body.id_token!, rs.verification, { issuer: ISSUER, audience: 'app-1' });
    assert.equal(payload.name, undefined);
    assert.equal(payload.nonce, undefined);
    assert.equal(payload.fhirUser, fullGrant().fhirUser);
  });

  it('signs the ID token with the algorithm the client registered', async () => {
    const { grant } = grantWith();
    const body = await grant.handle({ client: client({ idTokenAlg: 'ES256' }), params });
    assert.equal(decodeProtectedHeader(body.id_token!).alg, 'ES256');
    const { payload } = await jwtVerify(body.id_token!, es.verification, { issuer: ISSUER, audience: 'app-1', typ: 'JWT' });
    assert.equal(payload.at_hash, atHash(body.access_token));
  });

  it('serves a public client identified by client_id only', async () => {
    const { grant } = grantWith();
    const body = await grant.handle({ client: client({ method: 'none' }), params });
    assert.equal(body.token_type, 'Bearer');
  });

  const refused: Array<[string, ClientRecord | null, Record<string, string>, string, number]> = [
    ['no client', null, params, 'invalid_client', 401],
    ['a client not registered for authorization_code', client({ grants: ['client_credentials'] }), params, 'unauthorized_client', 400],
    ['a missing code', client(), { redirect_uri: params.redirect_uri, code_verifier: params.code_verifier }, 'invalid_request', 400],
    ['an empty code', client(), { ...params, code: '' }, 'invalid_request', 400],
    ['a client registered for an ID token algorithm we do not sign with', client({ idTokenAlg: 'RS384' }), params, 'unauthorized_client', 400],
  ];
  for (const [name, record, given, error, status] of refused) {
    it(`refuses ${name} with ${error}, without redeeming the code`, async () => {
      const { grant, calls, issued } = grantWith();
      await assert.rejects(grant.handle({ client: record, params: given }), { error, status });
      assert.equal(calls.length, 0);
      assert.equal(issued.length, 0);
    });
  }

  it('does not redeem the code when the ID token key is missing (503)', async () => {
    const { grant, calls } = grantWith(fullGrant, SigningKeyRing.of([es.signing]));
    await assert.rejects(grant.handle({ client: client(), params }), { error: 'temporarily_unavailable', status: 503 });
    assert.equal(calls.length, 0);
  });

  it("passes the authorization service's OAuth error through and issues nothing", async () => {
    const { grant, issued } = grantWith(() => {
      throw new InvalidGrant('the code is invalid, expired or already used');
    });
    await assert.rejects(grant.handle({ client: client(), params }), (err: OAuthError) => {
      assert.equal(err.error, 'invalid_grant');
      assert.equal(err.status, 400);
      assert.equal(err.description, 'the code is invalid, expired or already used');
      return true;
    });
    assert.equal(issued.length, 0);
  });

  const malformed: Array<[string, () => AuthorizedGrant]> = [
    ['a grant of another client', () => ({ ...fullGrant(), client_id: 'app-2' })],
    ['a grant without grant_id', () => ({ ...fullGrant(), grant_id: undefined as unknown as string })],
    ['a grant without auth_time', () => ({ ...fullGrant(), auth_time: '1' as unknown as number })],
    ['no grant at all', () => undefined as unknown as AuthorizedGrant],
  ];
  for (const [name, answer] of malformed) {
    it(`answers server_error for ${name} and issues nothing`, async () => {
      const { grant, issued } = grantWith(answer);
      await assert.rejects(grant.handle({ client: client(), params }), { error: 'server_error', status: 500 });
      assert.equal(issued.length, 0);
    });
  }
});
