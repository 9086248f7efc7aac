import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Logger } from '@nestjs/common';
import { exportJWK, generateKeyPair } from 'jose';
import { Rpc, type ClientRecord, type EventEnvelope, type IntrospectionCaller, type PublicJwk, type TokenEndpointAuthMethod, type TokenRevokedData } from '#contracts';
import { ClientAuthenticator, ClientDirectory, EventBus, InProcessEventBus, loadConfig, PublicKeyRing, SigningKey, type ConnectionChange, type ConnectionListener, type ServiceBus } from '#nest';
import { generateOpaqueToken, RefreshTokenChecksum, sha256Hex, TemporarilyUnavailable, UnauthorizedClient } from '#oauth';
import { IntrospectionConfig } from '../config/introspection.config.js';
import type { RevocationStore } from '../persistence/revocation.store.js';
import type { RevokedGrantStore } from '../persistence/revoked-grant.store.js';
import { IntrospectionService } from './introspection.service.js';
import { RefreshTokenFilter } from './refresh-token-filter.js';
import { TokenStateService } from './token-state.service.js';

const ISSUER = 'https://auth.example';
const FHIR = 'https://fhir.example/r4';
const now = () => Math.floor(Date.now() / 1000);
/** The deployment's refresh-token checksum, as the authorization service would publish it. */
const CHECKSUM_KEY = RefreshTokenChecksum.generateKey();
const FORMAT = new RefreshTokenChecksum(CHECKSUM_KEY);
/** A text that may be one of our refresh tokens (its shape and checksum). */
const OPAQUE = FORMAT.issue();

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

/** An in-memory bus whose broker can be taken down, and whose connection can be lost (a fake collaborator). */
class FlakyEventBus extends InProcessEventBus {
  down = false;
  readonly published: EventEnvelope[] = [];
  readonly attempted: string[] = [];
  private readonly watchers = new Set<ConnectionListener>();
  override onConnectionChange(listener: ConnectionListener): () => void {
    this.watchers.add(listener);
    return () => this.watchers.delete(listener);
  }
  change(change: ConnectionChange): void {
    for (const watcher of this.watchers) watcher(change);
  }
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
  // The revocation table and its outbox (a fake collaborator): a revocation is stored once, with its event,
  // which stays pending until the broker takes it.
  const stored: Array<{ jti: string; clientId: string }> = [];
  const outboxRows = new Map<string, { envelope: EventEnvelope<'token.revoked'>; published: boolean }>();
  const store = {
    revoke: async (data: TokenRevokedData, requestId?: string) => {
      if (stored.some((r) => r.jti === data.jti)) return null;
      stored.push({ jti: data.jti, clientId: data.client_id });
      const envelope = EventBus.envelope('token.revoked', data, { source: 'introspection', requestId });
      outboxRows.set(envelope.id, { envelope, published: false });
      return envelope;
    },
    unannounced: async (jti: string) => [...outboxRows.values()].filter((r) => !r.published && r.envelope.data.jti === jti).map((r) => r.envelope),
    announce: async (envelopes: Array<EventEnvelope<'token.revoked'>>) => {
      for (const envelope of envelopes) {
        await events.publishEnvelope(envelope as EventEnvelope);
        outboxRows.get(envelope.id)!.published = true;
      }
    },
    live: async () => [],
    purgeExpired: async () => undefined,
  } as unknown as RevocationStore;
  const grantRows: Array<{ grantId: string; clientId: string; revokedAt: Date; keepUntil: Date }> = [];
  const grantStore = {
    add: async (grantId: string, clientId: string, revokedAt: Date, keepUntil: Date) => void grantRows.push({ grantId, clientId, revokedAt, keepUntil }),
    live: async () => [],
    purgeExpired: async () => undefined,
  } as unknown as RevokedGrantStore;
  const state = new TokenStateService(store, grantStore, events);
  await state.onApplicationBootstrap();
  after(() => state.onModuleDestroy());

  /** The authorization service's refresh-token revocation (a fake collaborator): its answer or failure, and what it was asked. */
  const authorization = {
    calls: [] as Array<{ subject: string; payload: unknown }>,
    answer: (): { revoked: boolean } => ({ revoked: true }),
    /** What it says of a refresh token (`authorization.v1.refresh.introspect`). */
    refresh: (_token: string): unknown => ({ active: false }),
  };
  const bus = {
    async request(route: { subject: string }, payload: { token: string }) {
      if (route.subject === Rpc.authorization.refreshTokenFormat.subject) return { checksum_key: CHECKSUM_KEY.toString('base64url'), legacy_until: null };
      authorization.calls.push({ subject: route.subject, payload });
      if (route.subject === Rpc.authorization.introspectRefreshToken.subject) return authorization.refresh(payload.token);
      return authorization.answer();
    },
  } as unknown as ServiceBus;
  const ring = await PublicKeyRing.of(jwks);
  /** Signature checks made, to see which introspections cost none. */
  let verifications = 0;
  const verify = ring.verify.bind(ring);
  ring.verify = (jwt, expected) => {
    verifications++;
    return verify(jwt, expected);
  };
  const refreshTokens = new RefreshTokenFilter(bus);
  assert.equal(await refreshTokens.ask(), true);
  const service = new IntrospectionService(config, ring, directory, ClientAuthenticator.with(directory), state, store, bus, refreshTokens);

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

  describe('introspect: refresh tokens (RFC 7662 §2.1)', () => {
    const REFRESH = FORMAT.issue();
    const live = { active: true, client_id: 'plain', sub: 'user-1', scope: 'patient/*.rs offline_access', iat: now() - 10, exp: now() + 3600, patient: 'p-1', fhirUser: 'https://fhir.example/r4/Patient/p-1', need_patient_banner: true, grant_id: 'never-echoed' };
    const answering = (answer: unknown) => {
      authorization.calls.length = 0;
      authorization.refresh = (t) => (t === REFRESH ? answer : { active: false });
    };

    it('asks the authorization service about a token that is not one of our access tokens, whatever the hint, and answers as RFC 7662 §2.2 says', async () => {
      answering(live);
      for (const hint of [undefined, 'access_token', 'refresh_token']) {
        const body = await service.introspect({ params: { token: REFRESH, ...(hint ? { token_type_hint: hint } : {}) }, caller: basic('plain'), requestId: 'req-9' });
        assert.deepEqual(body, {
          active: true,
          client_id: 'plain',
          scope: 'patient/*.rs offline_access',
          sub: 'user-1',
          iat: live.iat,
          exp: live.exp,
          iss: ISSUER,
          token_type: 'refresh_token',
          patient: 'p-1',
          fhirUser: 'https://fhir.example/r4/Patient/p-1',
          need_patient_banner: true,
        });
      }
      assert.deepEqual(authorization.calls.at(-1), { subject: Rpc.authorization.introspectRefreshToken.subject, payload: { token: REFRESH, requestId: 'req-9' } });
    });

    it('shows it to a caller allowed to introspect any token', async () => {
      answering(live);
      assert.equal((await introspect(basic('privileged'), REFRESH)).active, true);
    });

    const inactive: Array<[string, unknown, IntrospectionCaller]> = [
      ['to another client without introspect', live, basic('other')],
      ['when the authorization service says inactive (used, revoked, expired, …)', { active: false }, basic('plain')],
      ['of a deleted client', { ...live, client_id: 'deleted-client' }, basic('privileged')],
      ['when the answer is malformed', { ...live, exp: 'soon' }, basic('privileged')],
      ['when the answer is no object', 'yes', basic('privileged')],
    ];
    for (const [name, answer, caller] of inactive) {
      it(`answers exactly {active:false} ${name}`, async () => {
        answering(answer);
        assert.deepEqual(await introspect(caller, REFRESH), { active: false });
      });
    }

    it('does not ask about our access tokens (revoked ones included) nor about what cannot be a refresh token', async () => {
      answering(live);
      const t = await token('plain');
      await service.revoke({ params: { token: t }, auth: basic('plain') as never });
      assert.deepEqual(await introspect(basic('privileged'), t), { active: false });
      assert.deepEqual(await introspect(basic('privileged'), 'a.b.c'), { active: false });
      assert.deepEqual(await introspect(basic('privileged'), 'short'), { active: false });
      // Issue #14: only the exact shape of our refresh tokens (32 random bytes, 43 canonical base64url characters) is asked about.
      assert.deepEqual(await introspect(basic('privileged'), generateOpaqueToken(75)), { active: false });
      assert.deepEqual(await introspect(basic('privileged'), `${REFRESH.slice(0, 42)}B`), { active: false });
      assert.deepEqual(await introspect(basic('privileged'), REFRESH.slice(1)), { active: false });
      // Issue #14: text of the right shape without the deployment's checksum is forged or garbage.
      for (let i = 0; i < 20; i++) assert.deepEqual(await introspect(basic('privileged'), generateOpaqueToken(32)), { active: false });
      assert.deepEqual(await service.revoke({ params: { token: generateOpaqueToken(32) }, auth: basic('plain') as never }), { revoked: false });
      assert.deepEqual(authorization.calls, []);
    });

    it('asks once about a text the authorization service never issued, and remembers it (issue #14)', async () => {
      const garbage = FORMAT.issue(); // a forger who knows the checksum key: looked up once
      authorization.calls.length = 0;
      authorization.refresh = (t) => (t === garbage ? { active: false, unknown: true } : { active: false });
      for (let i = 0; i < 3; i++) assert.deepEqual(await introspect(basic('privileged'), garbage), { active: false });
      assert.equal(authorization.calls.length, 1);
      // Merely inactive (used, expired, …) is asked again: a disabled user may be enabled again.
      const spent = FORMAT.issue();
      for (let i = 0; i < 2; i++) await introspect(basic('privileged'), spent);
      assert.equal(authorization.calls.length, 3);
    });

    it('remembers a forged access token: a second look costs no signature check (issue #14)', async () => {
      const valid = await token('plain');
      const [header, payload] = valid.split('.');
      const forged = `${header}.${payload}.${Buffer.alloc(64, 7).toString('base64url')}`;
      const before = verifications;
      for (let i = 0; i < 3; i++) assert.deepEqual(await introspect(basic('privileged'), forged), { active: false });
      assert.equal(verifications - before, 1);
      assert.equal((await introspect(basic('privileged'), valid)).active, true);
    });

    it('answers 503 when the authorization service does not answer', async () => {
      authorization.refresh = () => {
        throw new TemporarilyUnavailable('a backing service is not available');
      };
      await assert.rejects(introspect(basic('plain'), REFRESH), { error: 'temporarily_unavailable', status: 503 });
      authorization.refresh = () => ({ active: false });
    });
  });

  describe('grant revocation', () => {
    const revokeGrant = (grantId: string, revokedAt: number) =>
      events.publish('grant.revoked', { grant_id: grantId, client_id: 'public-app', user_id: 'u1', reason: 'refresh_token_reuse', revoked_at: revokedAt }, { source: 'authorization' });

    it('makes the tokens of the grant issued up to the revocation inactive, and records it', async () => {
      const t = now();
      const before = await token('public-app', { grant_id: 'g-1', iat: t - 10 });
      const atRevocation = await token('public-app', { grant_id: 'g-1', iat: t });
      const otherGrant = await token('public-app', { grant_id: 'g-2', iat: t - 10 });
      assert.equal((await introspect(basic('privileged'), before)).active, true); // cached as verified first
      await revokeGrant('g-1', t);
      assert.deepEqual(await introspect(basic('privileged'), before), { active: false });
      assert.deepEqual(await introspect(basic('privileged'), atRevocation), { active: false });
      assert.equal((await introspect(basic('privileged'), otherGrant)).active, true);
      assert.deepEqual(grantRows.at(-1), { grantId: 'g-1', clientId: 'public-app', revokedAt: new Date(t * 1000), keepUntil: new Date((t + 3660) * 1000) });
    });

    it('leaves a token of the grant issued after the revocation active', async () => {
      const t = now();
      await revokeGrant('g-3', t - 5);
      assert.equal((await introspect(basic('privileged'), await token('public-app', { grant_id: 'g-3', iat: t }))).active, true);
    });

    it('ignores a malformed event', async () => {
      const rows = grantRows.length;
      await events.publish('grant.revoked', { grant_id: 'g-4', client_id: 'public-app' } as never, { source: 'authorization' });
      assert.equal(grantRows.length, rows);
      assert.equal((await introspect(basic('privileged'), await token('public-app', { grant_id: 'g-4' }))).active, true);
    });
  });

  describe('verify (internal)', () => {
    it('answers the claims of an active token, grant_id included', async () => {
      const t = await token('public-app', { grant_id: 'g-9', patient: 'p-9', sub: 'user-1' });
      const verification = await service.verify(t);
      assert.equal(verification.active, true);
      assert.ok(verification.active);
      assert.equal(verification.claims.grant_id, 'g-9');
      assert.equal(verification.claims.patient, 'p-9');
      assert.equal(verification.claims.sub, 'user-1');
      assert.equal(verification.claims.client_id, 'public-app');
    });

    const inactive: Array<[string, () => Promise<unknown> | unknown]> = [
      ['garbage', () => 'garbage'],
      ['a non-string', () => 42],
      ['an expired token', () => token('plain', { exp: now() - 60 })],
      ['a token of a deleted client', () => token('deleted-client')],
      ['a token of another typ', () => key.sign({ iss: ISSUER, sub: 'plain', aud: FHIR, client_id: 'plain', scope: 'openid', jti: 'id-1', iat: now(), exp: now() + 60 }, 'JWT')],
    ];
    for (const [name, make] of inactive) {
      it(`answers {active:false} for ${name}`, async () => assert.deepEqual(await service.verify(await make()), { active: false }));
    }

    it('answers {active:false} for a revoked token and a token of a revoked grant', async () => {
      const t = await token('plain');
      const jti = JSON.parse(Buffer.from(t.split('.')[1]!, 'base64url').toString()).jti as string;
      await events.publish('token.revoked', { jti, client_id: 'plain', token_type: 'access_token', exp: now() + 300, reason: 'admin' }, { source: 'introspection' });
      assert.deepEqual(await service.verify(t), { active: false });
      const g = await token('public-app', { grant_id: 'g-10' });
      await events.publish('grant.revoked', { grant_id: 'g-10', client_id: 'public-app', user_id: 'u', reason: 'user', revoked_at: now() }, { source: 'authorization' });
      assert.deepEqual(await service.verify(g), { active: false });
    });
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

    it('hands a token that is not one of our access tokens to the authorization service (refresh tokens)', async () => {
      authorization.calls.length = 0;
      authorization.answer = () => ({ revoked: true });
      assert.deepEqual(await service.revoke({ params: { token: OPAQUE, token_type_hint: 'refresh_token' }, auth: { method: 'none', clientId: 'public-app' }, requestId: 'req-7' }), { revoked: true });
      assert.deepEqual(authorization.calls, [{ subject: Rpc.authorization.revokeRefreshToken.subject, payload: { token: OPAQUE, client_id: 'public-app', requestId: 'req-7' } }]);
      authorization.answer = () => ({ revoked: false });
      assert.deepEqual(await revoke(basic('plain'), OPAQUE), { revoked: false });
      // What cannot be one of our refresh tokens is not asked about (issue #14).
      authorization.calls.length = 0;
      assert.deepEqual(await revoke(basic('plain'), 'garbage'), { revoked: false });
      assert.equal(authorization.calls.length, 0);
    });

    it('does not ask the authorization service about one of our access tokens', async () => {
      authorization.calls.length = 0;
      await revoke(basic('plain'), await token('plain'), 'refresh_token');
      assert.equal(authorization.calls.length, 0);
    });

    const forwardedErrors: Array<[string, Error, string, number]> = [
      ['does not answer (RFC 7009 §2.2.1)', new TemporarilyUnavailable('a backing service is not available'), 'temporarily_unavailable', 503],
      ['refuses a token of another client', new UnauthorizedClient('the token was not issued to this client'), 'unauthorized_client', 400],
    ];
    for (const [name, error, code, status] of forwardedErrors) {
      it(`answers ${code} when the authorization service ${name}`, async () => {
        authorization.answer = () => {
          throw error;
        };
        await assert.rejects(revoke(basic('plain'), OPAQUE), { error: code, status });
        authorization.answer = () => ({ revoked: true });
      });
    }
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

    it('answers 503 again while the broker stays down, and never stores the revocation twice', async () => {
      const t = await token('plain');
      const rows = stored.length;
      events.down = true;
      await assert.rejects(revoke(basic('plain'), t), { error: 'temporarily_unavailable', status: 503 });
      await assert.rejects(revoke(basic('plain'), t), { error: 'temporarily_unavailable', status: 503 });
      events.down = false;
      assert.equal(stored.length, rows + 1);
      assert.equal(new Set(events.attempted.slice(-2)).size, 1, 'both attempts carried the one event');
      assert.deepEqual(await revoke(basic('plain'), t), { revoked: true });
    });
  });

  describe('while the replica catches up with revocations it missed (issue #13)', () => {
    it('holds introspection and verification until it has caught up, then answers', async () => {
      const t = await token('plain');
      events.change('lost');
      let answered = false;
      const held = Promise.all([introspect(basic('privileged'), t), service.verify(t)]).finally(() => (answered = true));
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(answered, false, 'nothing is answered from the state as it was before');
      events.change('resumed');
      const [body, verification] = await held;
      assert.equal(body.active, true);
      assert.equal(verification.active, true);
    });

    it('answers 503 temporarily_unavailable when the catch-up takes longer than a few seconds', async () => {
      const t = await token('plain');
      events.change('lost');
      try {
        await assert.rejects(introspect(basic('privileged'), t), { error: 'temporarily_unavailable', status: 503 });
        await assert.rejects(service.verify(t), { error: 'temporarily_unavailable', status: 503 });
      } finally {
        events.change('resumed');
      }
      await state.whenCaughtUp(3000);
      assert.equal((await introspect(basic('privileged'), t)).active, true);
    });
  });
});
