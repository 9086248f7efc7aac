import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Logger } from '@nestjs/common';
import { exportJWK, generateKeyPair } from 'jose';
import type { ClientRecord, EventEnvelope, IntrospectionCaller, PublicJwk, TokenEndpointAuthMethod } from '#contracts';
import { ClientAuthenticator, ClientDirectory, InProcessEventBus, loadConfig, PublicKeyRing, SigningKey, type ServiceBus } from '#nest';
import { sha256Hex } from '#oauth';
import { IntrospectionConfig } from '../config/introspection.config.js';
import type { RevocationStore } from '../persistence/revocation.store.js';
import { IntrospectionService } from './introspection.service.js';
import { TokenStateService } from './token-state.service.js';

const ISSUER = 'https://auth.example';
const FHIR = 'https://fhir.example/r4';
const now = () => Math.floor(Date.now() / 1000);

function client(id: string, scope: string, method: TokenEndpointAuthMethod = 'client_secret_basic'): ClientRecord {
  return {
    client_id: id,
    metadata: { redirect_uris: [], token_endpoint_auth_method: method, grant_types: ['client_credentials'], response_types: [], scope },
    ...(method === 'none' ? {} : { client_secret_hash: sha256Hex(`${id}-secret`) }),
    client_secret_expires_at: 0,
    client_id_issued_at: 0,
    revision: 1,
  };
}
const basic = (id: string): IntrospectionCaller => ({ method: 'client_secret_basic', clientId: id, clientSecret: `${id}-secret` });

/** An in-memory bus whose broker can be taken down (a fake collaborator). */
class FlakyEventBus extends InProcessEventBus {
  down = false;
  readonly published: EventEnvelope[] = [];
  readonly attempted: string[] = [];
  override async publishEnvelope(envelope: EventEnvelope): Promise<void> {
    this.attempted.push(envelope.id);
    if (this.down) throw new Error('no responders');
    this.published.push(envelope);
    await super.publishEnvelope(envelope);
  }
}


Logger.overrideLogger(false); // the failure cases log errors on purpose
describe('IntrospectionService', async () => {
  const config = loadConfig(IntrospectionConfig, { ISSUER, FHIR_BASE_URL: FHIR, DATABASE_URL: 'postgres://unused/db', LOG_LEVEL: 'error' });
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const key = await SigningKey.fromJwk('k1', 'ES256', (await exportJWK(privateKey)) as Record<string, unknown>);
  const jwks = [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' } as PublicJwk];

  const clients = new Map<string, ClientRecord>(
    [client('privileged', 'system/*.rs introspect'), client('plain', 'system/*.rs'), client('other', 'system/*.rs'), client('public-app', 'launch', 'none')].map((c) => [c.client_id, c]),
  );
  const registration = { request: async (_route: unknown, { clientId }: { clientId: string }) => clients.get(clientId) ?? null } as unknown as ServiceBus;
  const events = new FlakyEventBus();
  const directory = new ClientDirectory(registration, events);
  const stored: Array<{ jti: string; clientId: string }> = [];
  const store = {
    add: async (jti: string, clientId: string) => void stored.push({ jti, clientId }),
    live: async () => [],
    purgeExpired: async () => undefined,
  } as unknown as RevocationStore;
  const state = new TokenStateService(store, events);
  await state.onApplicationBootstrap();
  after(() => state.onModuleDestroy());
  const service = new IntrospectionService(config, await PublicKeyRing.of(jwks), directory, ClientAuthenticator.with(directory), state, store, events);

  let counter = 0;
  function token(clientId: string, overrides: Record<string, unknown> = {}): Promise<string> {
    const iat = now();
    return key.sign({ iss: ISSUER, sub: clientId, aud: FHIR, client_id: clientId, scope: 'system/*.rs', jti: `jti-${++counter}`, iat, exp: iat + 300, ...overrides }, 'at+jwt');
  }
  const introspect = (caller: IntrospectionCaller, tokenValue?: string) => service.introspect({ params: tokenValue === undefined ? {} : { token: tokenValue }, caller });

  describe('introspect', () => {
    it('shows a privileged caller any active token', async () => {
      const t = await token('plain', { patient: 'p-1' });
      const body = await introspect(basic('privileged'), t);
      assert.equal(body.active, true);
      assert.ok(body.active);
      assert.equal(body.client_id, 'plain');
      assert.equal(body.scope, 'system/*.rs');
      assert.equal(body.patient, 'p-1');
      assert.equal(body.token_type, 'Bearer');
    });

    it('shows a client its own token', async () => assert.equal((await introspect(basic('plain'), await token('plain'))).active, true));

    const inactive: Array<[string, IntrospectionCaller, () => string | Promise<string>]> = [
      ["another client's token to an unprivileged caller", basic('plain'), () => token('other')],
      ['garbage', basic('privileged'), () => 'invalid_token_value'],
      ['an expired token', basic('privileged'), () => token('plain', { exp: now() - 60 })],
      ['a token from another issuer', basic('privileged'), () => token('plain', { iss: 'https://evil.example' })],
      ['a token of a deleted client', basic('privileged'), () => token('deleted-client')],
      ['a token lacking required claims', basic('privileged'), () => token('plain', { jti: undefined })],
    ];
    for (const [name, caller, make] of inactive) {
      it(`answers exactly {active:false} for ${name}`, async () => assert.deepEqual(await introspect(caller, await make()), { active: false }));
    }

    it('treats a token revoked on another replica as inactive', async () => {
      const t = await token('plain');
      const jti = JSON.parse(Buffer.from(t.split('.')[1]!, 'base64url').toString()).jti as string;
      assert.equal((await introspect(basic('privileged'), t)).active, true);
      await events.publish('token.revoked', { jti, client_id: 'plain', token_type: 'access_token', exp: now() + 300, reason: 'client_request' }, { source: 'introspection' });
      assert.deepEqual(await introspect(basic('privileged'), t), { active: false });
    });

    it('accepts a bearer token carrying the introspect scope', async () => {
      const bearer = await token('privileged', { scope: 'introspect' });
      assert.equal((await introspect({ method: 'bearer', token: bearer }, await token('other'))).active, true);
    });

    const refused: Array<[string, IntrospectionCaller, string | undefined, string, number]> = [
      ['no token parameter', basic('privileged'), undefined, 'invalid_request', 400],
      ['no caller credentials', { method: 'absent' }, 'x', 'invalid_client', 401],
      ['a wrong client secret', { method: 'client_secret_basic', clientId: 'plain', clientSecret: 'nope' }, 'x', 'invalid_client', 401],
      ['a bearer token that is not ours', { method: 'bearer', token: 'garbage' }, 'x', 'invalid_token', 401],
    ];
    for (const [name, caller, tokenValue, error, status] of refused) {
      it(`answers ${error} for ${name}`, async () => assert.rejects(introspect(caller, tokenValue), { error, status }));
    }
    it('answers insufficient_scope for a bearer token without the introspect scope', async () =>
      assert.rejects(introspect({ method: 'bearer', token: await token('plain') }, 'x'), { error: 'insufficient_scope', status: 403 }));
  });

  describe('revoke', () => {
    const revoke = (auth: IntrospectionCaller, tokenValue?: string, hint?: string) =>
      service.revoke({ params: { ...(tokenValue === undefined ? {} : { token: tokenValue }), ...(hint ? { token_type_hint: hint } : {}) }, auth: auth as never });

    it('revokes a client its own token, stores and announces it (whatever the hint)', async () => {
      const t = await token('plain');
      const before = events.published.length;
      assert.deepEqual(await revoke(basic('plain'), t, 'refresh_token'), { revoked: true });
      assert.deepEqual(await introspect(basic('privileged'), t), { active: false });
      assert.equal(stored.at(-1)?.clientId, 'plain');
      const announced = events.published.slice(before);
      assert.equal(announced.length, 1);
      assert.equal(announced[0]!.type, 'token.revoked');
      assert.deepEqual({ ...announced[0]!.data, exp: 0, jti: '' }, { jti: '', client_id: 'plain', token_type: 'access_token', exp: 0, reason: 'client_request' });
      // Revoking it again changes nothing and announces nothing.
      assert.deepEqual(await revoke(basic('plain'), t), { revoked: true });
      assert.equal(events.published.length, before + 1);
    });

    it("refuses to revoke another client's token and leaves it active", async () => {
      const t = await token('other');
      const rows = stored.length;
      await assert.rejects(revoke(basic('plain'), t), { error: 'unauthorized_client' });
      assert.equal(stored.length, rows);
      assert.equal((await introspect(basic('privileged'), t)).active, true);
    });

    it('lets a public client revoke its own token with client_id only', async () => {
      assert.deepEqual(await revoke({ method: 'none', clientId: 'public-app' }, await token('public-app')), { revoked: true });
    });

    it('answers revoked:false for a token that is not ours', async () => assert.deepEqual(await revoke(basic('plain'), 'garbage'), { revoked: false }));
    it('answers invalid_request without a token', async () => assert.rejects(revoke(basic('plain')), { error: 'invalid_request' }));
    it('answers invalid_client for a secret client posing as public', async () => assert.rejects(revoke({ method: 'none', clientId: 'plain' }, await token('plain')), { error: 'invalid_client' }));

    it('answers 503 when the revocation cannot be announced, and announces the same event on retry', async () => {
      const t = await token('plain');
      events.down = true;
      await assert.rejects(revoke(basic('plain'), t), { error: 'temporarily_unavailable', status: 503 });
      const failedId = events.attempted.at(-1);
      assert.deepEqual(await introspect(basic('privileged'), t), { active: false }); // already in force here
      events.down = false;
      const before = events.published.length;
      assert.deepEqual(await revoke(basic('plain'), t), { revoked: true });
      assert.equal(events.published.length, before + 1);
      assert.equal(events.published.at(-1)!.id, failedId); // same Nats-Msg-Id: JetStream de-duplicates
      assert.deepEqual(await revoke(basic('plain'), t), { revoked: true });
      assert.equal(events.published.length, before + 1);
    });
  });
});
