import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Logger } from '@nestjs/common';
import { exportJWK, generateKeyPair, importJWK, jwtVerify, type JWK } from 'jose';
import type { ClientRecord, EventEnvelope, TokenEndpointAuthMethod } from '#contracts';
import { InProcessEventBus, loadConfig, SigningKey, SigningKeyRing } from '#nest';
import { KeyEncryption } from '#oauth';
import { TokenConfig } from '../config/token.config.js';
import { AccessTokenIssuer } from '../tokens/access-token.issuer.js';
import { ClientCredentialsGrant } from './client-credentials.grant.js';

const ISSUER = 'https://auth.example';
const FHIR = 'https://fhir.example/r4';

function client(scope: string, options: { method?: TokenEndpointAuthMethod; grants?: string[] } = {}): ClientRecord {
  return {
    client_id: 'backend-1',
    metadata: {
      redirect_uris: [],
      token_endpoint_auth_method: options.method ?? 'client_secret_basic',
      grant_types: options.grants ?? ['client_credentials'],
      response_types: [],
      scope,
    },
    client_id_issued_at: 0,
    revision: 1,
  };
}

/** An event bus whose broker is down (a fake collaborator). */
class UnreachableEventBus extends InProcessEventBus {
  override async publishEnvelope(): Promise<void> {
    throw new Error('no responders');
  }
}


Logger.overrideLogger(false); // the failure cases log errors on purpose
describe('client_credentials grant', async () => {
  const config = loadConfig(TokenConfig, { KEY_ENCRYPTION_KEY: KeyEncryption.generateSetting(), ISSUER, FHIR_BASE_URL: FHIR, LOG_LEVEL: 'error' });
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const signing = await SigningKey.fromJwk('kid-1', 'ES256', (await exportJWK(privateKey)) as Record<string, unknown>);
  const verificationKey = await importJWK((await exportJWK(publicKey)) as JWK, 'ES256');
  const keys = SigningKeyRing.of([signing]);

  function grantWith(events = new InProcessEventBus()) {
    const issued: EventEnvelope[] = [];
    events.subscribe('>', (e) => issued.push(e));
    return { grant: new ClientCredentialsGrant(new AccessTokenIssuer(config, keys, events), config), issued };
  }

  // RFC 6749 §3.3 / SMART Backend Services: scopes only narrow to what was registered.
  const narrowing: Array<[string, string, string | undefined, string]> = [
    ['no scope requested gets the registered set', 'system/*.rs introspect', undefined, 'system/*.rs introspect'],
    ['an empty scope counts as none requested', 'system/*.rs', '', 'system/*.rs'],
    ['a registered scope is granted as asked', 'system/*.rs introspect', 'system/*.rs', 'system/*.rs'],
    ['a narrower scope is granted', 'system/*.rs', 'system/Patient.r', 'system/Patient.r'],
    ['a wider request narrows to the registered scopes it covers', 'system/Patient.rs system/Observation.rs', 'system/*.cruds', 'system/Patient.rs system/Observation.rs'],
    ['unregistered scopes are dropped, the rest granted', 'system/*.rs', 'system/*.rs introspect', 'system/*.rs'],
    ['v1 scopes stay v1', 'system/*.read', 'system/Patient.read', 'system/Patient.read'],
  ];
  for (const [name, registered, requested, expected] of narrowing) {
    it(name, async () => {
      const { grant } = grantWith();
      const body = await grant.handle({ client: client(registered), params: requested === undefined ? {} : { scope: requested } });
      assert.equal(body.scope, expected);
      assert.equal(body.token_type, 'Bearer');
      assert.equal(body.expires_in, 300);
      assert.equal(body.refresh_token, undefined);
    });
  }

  const refused: Array<[string, ClientRecord, string | undefined, string]> = [
    ['a public client', client('system/*.rs', { method: 'none' }), undefined, 'unauthorized_client'],
    ['a client not registered for client_credentials', client('system/*.rs', { grants: ['authorization_code'] }), undefined, 'unauthorized_client'],
    ['a malformed scope', client('system/*.rs'), 'system/*.rs "bad"', 'invalid_scope'],
    ['an unknown scope', client('system/*.rs'), 'nonsense', 'invalid_scope'],
    ['nothing grantable', client('system/Patient.rs'), 'system/Observation.rs', 'invalid_scope'],
  ];
  for (const [name, record, scope, error] of refused) {
    it(`refuses ${name} with ${error}`, async () => {
      const { grant, issued } = grantWith();
      await assert.rejects(grant.handle({ client: record, params: scope === undefined ? {} : { scope } }), { error, status: 400 });
      assert.equal(issued.length, 0);
    });
  }

  it('with a checked DPoP proof: token_type DPoP and cnf.jkt in the token (RFC 9449 §5, §6.1)', async () => {
    const { grant } = grantWith();
    const body = await grant.handle({ client: client('system/*.rs'), params: {}, proof: { jkt: 'J'.repeat(43) } });
    assert.equal(body.token_type, 'DPoP');
    const { payload } = await jwtVerify(body.access_token, verificationKey);
    assert.deepEqual(payload.cnf, { jkt: 'J'.repeat(43) });
  });

  it('refuses a dpop_bound_access_tokens client without a proof (RFC 9449 §5.2), and issues nothing', async () => {
    const { grant, issued } = grantWith();
    const bound = client('system/*.rs');
    bound.metadata.dpop_bound_access_tokens = true;
    await assert.rejects(grant.handle({ client: bound, params: {} }), { error: 'invalid_dpop_proof', status: 400 });
    assert.equal(issued.length, 0);
  });

  it('answers a repeated request the same way (scope cache) and a changed registration anew', async () => {
    const { grant } = grantWith();
    const record = client('system/*.rs introspect');
    assert.equal((await grant.handle({ client: record, params: { scope: 'system/*.rs' } })).scope, 'system/*.rs');
    assert.equal((await grant.handle({ client: record, params: { scope: 'system/*.rs' } })).scope, 'system/*.rs');
    const updated = client('system/Patient.rs');
    assert.equal((await grant.handle({ client: updated, params: { scope: 'system/*.rs' } })).scope, 'system/Patient.rs');
  });

  it('signs an RFC 9068 access token and announces it as token.issued', async () => {
    const { grant, issued } = grantWith();
    const before = Math.floor(Date.now() / 1000);
    const body = await grant.handle({ client: client('system/*.rs'), params: {}, requestId: 'req-1' });
    const { payload, protectedHeader } = await jwtVerify(body.access_token, verificationKey, { issuer: ISSUER, audience: FHIR, typ: 'at+jwt' });
    assert.deepEqual(protectedHeader, { alg: 'ES256', kid: 'kid-1', typ: 'at+jwt' });
    assert.deepEqual(Object.keys(payload).sort(), ['aud', 'client_id', 'exp', 'iat', 'iss', 'jti', 'scope', 'sub']);
    assert.equal(payload.sub, 'backend-1');
    assert.equal(payload.client_id, 'backend-1');
    assert.equal(payload.scope, 'system/*.rs');
    assert.match(payload.jti!, /^[A-Za-z0-9_-]{22}$/); // 128 bits, base64url
    assert.ok(payload.iat! >= before && payload.exp === payload.iat! + 300);

    assert.equal(issued.length, 1);
    const event = issued[0]!;
    assert.equal(event.type, 'token.issued');
    assert.equal(event.source, 'token');
    assert.equal(event.request_id, 'req-1');
    assert.deepEqual(event.data, {
      jti: payload.jti,
      client_id: 'backend-1',
      sub: 'backend-1',
      grant_type: 'client_credentials',
      scope: 'system/*.rs',
      aud: FHIR,
      iat: payload.iat,
      exp: payload.exp,
      kid: 'kid-1',
    });
  });

  it('gives every token its own jti', async () => {
    const { grant } = grantWith();
    const jtis = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const { access_token } = await grant.handle({ client: client('system/*.rs'), params: {} });
      jtis.add(JSON.parse(Buffer.from(access_token.split('.')[1]!, 'base64url').toString()).jti);
    }
    assert.equal(jtis.size, 20);
  });

  it('hands out no token that could not be announced', async () => {
    const { grant } = grantWith(new UnreachableEventBus());
    await assert.rejects(grant.handle({ client: client('system/*.rs'), params: {} }), { error: 'temporarily_unavailable', status: 503 });
  });

  it('answers temporarily_unavailable without a key for the configured algorithm', async () => {
    const grant = new ClientCredentialsGrant(new AccessTokenIssuer(config, SigningKeyRing.of([]), new InProcessEventBus()), config);
    await assert.rejects(grant.handle({ client: client('system/*.rs'), params: {} }), { error: 'temporarily_unavailable' });
  });
});
