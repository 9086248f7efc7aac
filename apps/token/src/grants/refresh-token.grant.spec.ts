import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { exportJWK, generateKeyPair, importJWK, jwtVerify, type CryptoKey, type JWK } from 'jose';
import { Rpc, type AuthorizedGrant, type ClientRecord, type EventEnvelope, type TokenEndpointAuthMethod } from '#contracts';
import { ClientAuthenticator, InProcessEventBus, loadConfig, SigningKey, SigningKeyRing, type ServiceBus } from '#nest';
import { InvalidGrant, InvalidScope, KeyEncryption, type OAuthError } from '#oauth';
import { TokenConfig } from '../config/token.config.js';
import { AccessTokenIssuer } from '../tokens/access-token.issuer.js';
import { GrantTokenResponse } from '../tokens/grant-token.response.js';
import { IdTokenIssuer } from '../tokens/id-token.issuer.js';
import { RefreshTokenGrant } from './refresh-token.grant.js';

const ISSUER = 'https://auth.example';
const FHIR = 'https://fhir.example/r4';
const now = () => Math.floor(Date.now() / 1000);
const AUTH_TIME = now() - 86_400;

function client(options: { id?: string; method?: TokenEndpointAuthMethod; grants?: string[] } = {}): ClientRecord {
  return {
    client_id: options.id ?? 'app-1',
    metadata: {
      redirect_uris: ['https://app.example/cb'],
      token_endpoint_auth_method: options.method ?? 'client_secret_basic',
      grant_types: options.grants ?? ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      scope: 'openid fhirUser launch/patient offline_access patient/*.rs',
    },
    client_id_issued_at: 0,
    revision: 1,
  };
}

/** What `authorization.v1.refresh` answers: no nonce (OIDC Core §12.2), a rotated refresh token. */
const refreshed = (overrides: Partial<AuthorizedGrant> = {}): AuthorizedGrant => ({
  grant_id: 'grant-1',
  client_id: 'app-1',
  sub: 'user-42',
  scope: 'openid fhirUser launch/patient offline_access patient/*.rs',
  fhirUser: `${FHIR}/Patient/123`,
  auth_time: AUTH_TIME,
  refresh_token: 'rt-2',
  patient: '123',
  need_patient_banner: false,
  ...overrides,
});

async function keyPair(alg: string, kid: string): Promise<{ signing: SigningKey; verification: CryptoKey }> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return {
    signing: await SigningKey.fromJwk(kid, alg, (await exportJWK(privateKey)) as Record<string, unknown>),
    verification: (await importJWK((await exportJWK(publicKey)) as JWK, alg)) as CryptoKey,
  };
}

Logger.overrideLogger(false);
describe('refresh_token grant', async () => {
  const config = loadConfig(TokenConfig, { KEY_ENCRYPTION_KEY: KeyEncryption.generateSetting(), ISSUER, FHIR_BASE_URL: FHIR, LOG_LEVEL: 'error' });
  const es = await keyPair('ES256', 'es-1');
  const rs = await keyPair('RS256', 'rs-1');
  const keys = SigningKeyRing.of([es.signing, rs.signing]);

  /**
   * The authorization service's answers (a fake collaborator: `refresh`, and `refresh.client` naming `owner` as
   * the client the token was issued to), with what it was asked; `registered` is the client directory.
   */
  function grantWith(answer: () => AuthorizedGrant = refreshed, owner: string | null = 'app-1', registered: ClientRecord[] = [client()]) {
    const calls: Array<{ subject: string; payload: unknown }> = [];
    const bus = {
      async request(route: { subject: string }, payload: unknown) {
        calls.push({ subject: route.subject, payload });
        if (route.subject === Rpc.authorization.refreshTokenClient.subject) return { client_id: owner };
        return answer();
      },
    } as unknown as ServiceBus;
    const events = new InProcessEventBus();
    const issued: EventEnvelope[] = [];
    events.subscribe('>', (e) => issued.push(e));
    const response = new GrantTokenResponse(config, new AccessTokenIssuer(config, keys, events), new IdTokenIssuer(config, keys));
    const authenticator = ClientAuthenticator.with({ get: async (id) => registered.find((c) => c.client_id === id) ?? null });
    return { grant: new RefreshTokenGrant(bus, response, authenticator), calls, issued };
  }

  // RFC 6749 §6: scope is optional; omitted or empty means the original grant.
  const scopes: Array<[string, Record<string, string>, Record<string, string>]> = [
    ['without scope', { refresh_token: 'rt-1' }, { refresh_token: 'rt-1', client_id: 'app-1', requestId: 'r' }],
    ['with an empty scope', { refresh_token: 'rt-1', scope: '' }, { refresh_token: 'rt-1', client_id: 'app-1', requestId: 'r' }],
    ['with a scope', { refresh_token: 'rt-1', scope: 'openid patient/*.rs' }, { refresh_token: 'rt-1', client_id: 'app-1', scope: 'openid patient/*.rs', requestId: 'r' }],
  ];
  for (const [name, params, expected] of scopes) {
    it(`asks the authorization service to refresh ${name}`, async () => {
      const { grant, calls } = grantWith();
      await grant.handle({ client: client(), params, requestId: 'r' });
      assert.equal(calls.length, 1);
      assert.equal(calls[0]!.subject, Rpc.authorization.refresh.subject);
      assert.deepEqual(calls[0]!.payload, expected);
    });
  }

  it('answers the rotated refresh token, the granted scope exactly, and the launch context', async () => {
    const { grant, issued } = grantWith(() => refreshed({ scope: 'openid patient/*.rs' }));
    const body = await grant.handle({ client: client(), params: { refresh_token: 'rt-1', scope: 'openid patient/*.rs' } });
    assert.deepEqual(Object.keys(body).sort(), ['access_token', 'expires_in', 'fhirUser', 'id_token', 'need_patient_banner', 'patient', 'refresh_token', 'scope', 'token_type']);
    assert.equal(body.scope, 'openid patient/*.rs');
    assert.equal(body.refresh_token, 'rt-2');
    assert.equal(body.patient, '123');
    assert.equal(body.need_patient_banner, false);
    assert.equal(body.expires_in, 3600);
    const { payload } = await jwtVerify(body.access_token, es.verification, { issuer: ISSUER, audience: FHIR, typ: 'at+jwt' });
    assert.equal(payload.grant_id, 'grant-1');
    assert.equal(payload.patient, '123');
    assert.equal(payload.scope, 'openid patient/*.rs');
    assert.equal(issued[0]!.type, 'token.issued');
    assert.equal((issued[0]!.data as { grant_type: string }).grant_type, 'refresh_token');
    assert.equal((issued[0]!.data as { grant_id?: string }).grant_id, 'grant-1');
  });

  it('issues an ID token keeping sub, aud, azp and auth_time, without nonce (OIDC Core §12.2)', async () => {
    const { grant } = grantWith();
    const body = await grant.handle({ client: client(), params: { refresh_token: 'rt-1' } });
    const { payload, protectedHeader } = await jwtVerify(body.id_token!, rs.verification, { issuer: ISSUER, audience: 'app-1', typ: 'JWT' });
    assert.equal(protectedHeader.alg, 'RS256');
    assert.equal(payload.sub, 'user-42');
    assert.equal(payload.azp, 'app-1');
    assert.equal(payload.auth_time, AUTH_TIME);
    assert.equal('nonce' in payload, false);
    const digest = createHash('sha256').update(Buffer.from(body.access_token, 'ascii')).digest();
    assert.equal(payload.at_hash, digest.subarray(0, 16).toString('base64url'));
  });

  it('answers no refresh_token or id_token when the grant gives none', async () => {
    const bare = refreshed({ scope: 'patient/*.rs' });
    delete bare.refresh_token;
    const { grant } = grantWith(() => bare);
    const body = await grant.handle({ client: client({ method: 'none' }), params: { refresh_token: 'rt-1' } });
    assert.equal('refresh_token' in body, false);
    assert.equal('id_token' in body, false);
  });

  const refused: Array<[string, ClientRecord | null, Record<string, string>, string, number]> = [
    ['a client not registered for refresh_token', client({ grants: ['authorization_code'] }), { refresh_token: 'rt-1' }, 'unauthorized_client', 400],
    ['a missing refresh_token', client(), { scope: 'openid' }, 'invalid_request', 400],
    ['a missing refresh_token without a client', null, { scope: 'openid' }, 'invalid_request', 400],
  ];
  for (const [name, record, params, error, status] of refused) {
    it(`refuses ${name} with ${error}, without spending the refresh token`, async () => {
      const { grant, calls } = grantWith();
      await assert.rejects(grant.handle({ client: record, params }), { error, status });
      assert.equal(calls.length, 0);
    });
  }

  // RFC 6749 §6 and SMART App Launch 2.2: a public client need not identify itself on refresh.
  it('refreshes for the public client the token was issued to when the request names no client', async () => {
    const { grant, calls } = grantWith(refreshed, 'app-1', [client({ method: 'none' })]);
    const body = await grant.handle({ client: null, params: { refresh_token: 'rt-1' }, requestId: 'r' });
    assert.equal(body.refresh_token, 'rt-2');
    assert.deepEqual(
      calls.map((c) => c.subject),
      [Rpc.authorization.refreshTokenClient.subject, Rpc.authorization.refresh.subject],
    );
    assert.deepEqual(calls[0]!.payload, { refresh_token: 'rt-1', requestId: 'r' });
    assert.deepEqual(calls[1]!.payload, { refresh_token: 'rt-1', client_id: 'app-1', requestId: 'r' }, 'the refresh is bound to the owner, as with client_id');
  });

  const unidentified: Array<[string, string | null, ClientRecord[], string, number]> = [
    ["a confidential client's token", 'app-1', [client({ method: 'client_secret_basic' })], 'invalid_client', 401],
    ["a private_key_jwt client's token", 'app-1', [client({ method: 'private_key_jwt' })], 'invalid_client', 401],
    ['the token of a client that no longer exists', 'gone', [client({ method: 'none' })], 'invalid_client', 401],
    ['a token nobody issued', null, [client({ method: 'none' })], 'invalid_grant', 400],
    ['a public client not registered for refresh_token', 'app-1', [client({ method: 'none', grants: ['authorization_code'] })], 'unauthorized_client', 400],
  ];
  for (const [name, owner, registered, error, status] of unidentified) {
    it(`refuses ${name} presented without client identification with ${error}, never asking for the refresh`, async () => {
      const { grant, calls, issued } = grantWith(refreshed, owner, registered);
      await assert.rejects(grant.handle({ client: null, params: { refresh_token: 'rt-1' } }), (err: OAuthError) => {
        assert.equal(err.error, error);
        assert.equal(err.status, status);
        if (error === 'invalid_client') assert.equal(err.description, 'client authentication required', 'says nothing about the client');
        return true;
      });
      assert.deepEqual(
        calls.map((c) => c.subject),
        [Rpc.authorization.refreshTokenClient.subject],
        'the token is neither spent nor rotated',
      );
      assert.equal(issued.length, 0);
    });
  }

  const passedThrough: Array<[string, OAuthError]> = [
    ['a reused or unknown refresh token', new InvalidGrant('the refresh token is invalid')],
    ['a wider scope', new InvalidScope('the scope exceeds the grant')],
  ];
  for (const [name, error] of passedThrough) {
    it(`passes ${error.error} through for ${name} and issues nothing`, async () => {
      const { grant, issued } = grantWith(() => {
        throw error;
      });
      await assert.rejects(grant.handle({ client: client(), params: { refresh_token: 'rt-1' } }), { error: error.error, status: 400 });
      assert.equal(issued.length, 0);
    });
  }
});
