import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Logger } from '@nestjs/common';
import { exportJWK, generateKeyPair, importJWK, jwtVerify, type JWK } from 'jose';
import { Rpc, type DistributedSigningKey, type PublicJwk } from '#contracts';
import { KeyEncryption } from '#oauth';
import { ReconnectingEventBus } from '#testing';
import { InProcessEventBus } from '../messaging/in-process-event-bus.js';
import type { ServiceBus } from '../messaging/service-bus.js';
import { PublicKeyRing } from './public-key-ring.js';
import { SigningKey } from './signing-key.js';
import { SigningKeyRing } from './signing-key-ring.js';

Logger.overrideLogger(false); // the waiting and failure cases log on purpose

const ISSUER = 'https://auth.example';
const kekSetting = KeyEncryption.generateSetting();
const kek = KeyEncryption.fromSetting(kekSetting);

async function generated(alg: string, kid: string): Promise<{ distributed: DistributedSigningKey; signing: SigningKey; publicJwk: PublicJwk }> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg };
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } as PublicJwk;
  return {
    distributed: { kid, alg, state: 'active', encryptedPrivateJwk: kek.encrypt(JSON.stringify(privateJwk)), publicJwk },
    signing: await SigningKey.fromJwk(kid, alg, privateJwk),
    publicJwk,
  };
}

/** The jwks service's two answers, switchable and counted (a fake collaborator). */
function jwksService() {
  const state = { signing: [] as DistributedSigningKey[], public: [] as PublicJwk[], calls: { signing: 0, public: 0 }, down: false };
  const bus = {
    async request(route: { subject: string }) {
      if (state.down) throw new Error('no responders');
      if (route.subject === Rpc.jwks.signingKeys.subject) {
        state.calls.signing++;
        return { keys: state.signing };
      }
      state.calls.public++;
      return { keys: state.public, maxAgeSeconds: 300 };
    },
  } as unknown as ServiceBus;
  return { bus, state };
}

const settle = () => new Promise((r) => setTimeout(r, 10));

describe('SigningKeyRing', () => {
  it('decrypts the distributed keys and signs with the active key of an algorithm', async () => {
    const es = await generated('ES256', 'es-1');
    const rs = await generated('RS256', 'rs-1');
    const jwks = jwksService();
    jwks.state.signing = [es.distributed, rs.distributed, { ...es.distributed, kid: 'old', state: 'retired' }];
    const ring = await SigningKeyRing.create(jwks.bus, new InProcessEventBus(), kekSetting, { requiredAlgs: ['ES256'] });
    assert.equal(ring.current('ES256').kid, 'es-1');
    assert.equal(ring.current('RS256').kid, 'rs-1');
    const token = await ring.current('ES256').sign({ iss: ISSUER }, 'at+jwt');
    await jwtVerify(token, await importJWK(es.publicJwk as JWK, 'ES256'), { issuer: ISSUER, typ: 'at+jwt' });
    assert.throws(() => ring.current('ES384'), { error: 'temporarily_unavailable' });
    ring.close();
  });

  it('reloads when a key event arrives', async () => {
    const first = await generated('ES256', 'first');
    const second = await generated('ES256', 'second');
    const jwks = jwksService();
    const events = new InProcessEventBus();
    jwks.state.signing = [first.distributed];
    const ring = await SigningKeyRing.create(jwks.bus, events, kekSetting);
    jwks.state.signing = [second.distributed];
    await events.publish('key.activated', { kid: 'second', alg: 'ES256', state: 'active' }, { source: 'jwks' });
    await settle();
    assert.equal(ring.current('ES256').kid, 'second');
    ring.close();
  });

  it('waits for the jwks service at start', async () => {
    const es = await generated('ES256', 'late');
    const jwks = jwksService();
    jwks.state.down = true;
    setTimeout(() => {
      jwks.state.down = false;
      jwks.state.signing = [es.distributed];
    }, 30);
    const ring = await SigningKeyRing.create(jwks.bus, new InProcessEventBus(), kekSetting, { requiredAlgs: ['ES256'], waitMs: 2000, retryEveryMs: 10 });
    assert.equal(ring.current('ES256').kid, 'late');
    ring.close();
  });

  it('fails start-up clearly when the required algorithm never appears', async () => {
    const jwks = jwksService();
    jwks.state.signing = [(await generated('RS256', 'rs')).distributed];
    await assert.rejects(
      SigningKeyRing.create(jwks.bus, new InProcessEventBus(), kekSetting, { requiredAlgs: ['ES256'], waitMs: 50, retryEveryMs: 10 }),
      /no active ES256 signing key/,
    );
  });

  it('skips a key it cannot decrypt, keeping the others', async () => {
    const good = await generated('ES256', 'good');
    const foreign = await generated('RS256', 'foreign');
    const jwks = jwksService();
    jwks.state.signing = [good.distributed, { ...foreign.distributed, encryptedPrivateJwk: KeyEncryption.fromSetting(KeyEncryption.generateSetting()).encrypt('{}') }];
    const ring = await SigningKeyRing.create(jwks.bus, new InProcessEventBus(), kekSetting);
    assert.equal(ring.current('ES256').kid, 'good');
    assert.throws(() => ring.current('RS256'), { error: 'temporarily_unavailable' });
    ring.close();
  });
});

describe('PublicKeyRing', () => {
  const expect = { issuer: ISSUER, typ: 'at+jwt' };
  const claims = () => ({ iss: ISSUER, exp: Math.floor(Date.now() / 1000) + 60 });

  it('refetches once for an unknown kid, then not again within five seconds', async () => {
    const a = await generated('ES256', 'a');
    const b = await generated('ES256', 'b');
    const c = await generated('ES256', 'c');
    const jwks = jwksService();
    jwks.state.public = [a.publicJwk];
    const ring = await PublicKeyRing.create(jwks.bus, new InProcessEventBus());
    assert.equal(jwks.state.calls.public, 1);
    await ring.verify(await a.signing.sign(claims(), 'at+jwt'), expect);
    assert.equal(jwks.state.calls.public, 1);
    // Force the throttle window open, as if five seconds had passed.
    (ring as unknown as { lastFetch: number }).lastFetch = 0;
    jwks.state.public = [a.publicJwk, b.publicJwk];
    await ring.verify(await b.signing.sign(claims(), 'at+jwt'), expect);
    assert.equal(jwks.state.calls.public, 2);
    jwks.state.public = [a.publicJwk, b.publicJwk, c.publicJwk];
    await assert.rejects(ring.verify(await c.signing.sign(claims(), 'at+jwt'), expect), /unknown signing key/);
    assert.equal(jwks.state.calls.public, 2);
    ring.close();
  });

  it('reloads on key events, and forgets keys that left the ring', async () => {
    const a = await generated('ES256', 'a');
    const b = await generated('ES256', 'b');
    const jwks = jwksService();
    const events = new InProcessEventBus();
    jwks.state.public = [a.publicJwk];
    const ring = await PublicKeyRing.create(jwks.bus, events);
    jwks.state.public = [b.publicJwk];
    await events.publish('key.activated', { kid: 'b', alg: 'ES256', state: 'active' }, { source: 'jwks' });
    await settle();
    assert.equal(ring.has('b'), true);
    assert.equal(ring.has('a'), false);
    await ring.verify(await b.signing.sign(claims(), 'at+jwt'), expect);
    ring.close();
  });

  it('ignores keys of algorithms it does not verify', async () => {
    const a = await generated('ES256', 'a');
    const ring = await PublicKeyRing.of([a.publicJwk, { kty: 'oct', kid: 'hmac', alg: 'HS256', use: 'sig', k: 'c2VjcmV0' } as PublicJwk]);
    assert.equal(ring.has('a'), true);
    assert.equal(ring.has('hmac'), false);
  });
});

describe('key rings during a rotation (issue #5)', () => {
  const rotated = (kid: string, previous: string, next: string) =>
    ({ kid, alg: 'ES256', state: 'active', previous_kid: previous, next_kid: next, reason: 'forced' }) as const;

  it('SigningKeyRing keeps reloading until the jwks service shows the new active key (a replica that has not heard yet)', async () => {
    const first = await generated('ES256', 'first');
    const second = await generated('ES256', 'second');
    const jwks = jwksService();
    const events = new InProcessEventBus();
    jwks.state.signing = [first.distributed];
    const ring = await SigningKeyRing.create(jwks.bus, events, kekSetting, { refreshEveryMs: 0 });
    await events.publish('key.rotated', rotated('second', 'first', 'third'), { source: 'jwks' });
    await new Promise((r) => setTimeout(r, 250));
    assert.equal(ring.current('ES256').kid, 'first', 'the stale answer is applied meanwhile: the retired key still verifies');
    jwks.state.signing = [second.distributed];
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(ring.current('ES256').kid, 'second');
    ring.close();
  });

  it('PublicKeyRing keeps the retired key, learns the new next key, and forgets a removed key', async () => {
    const retired = await generated('ES256', 'retired');
    const active = await generated('ES256', 'active');
    const next = await generated('ES256', 'next');
    const jwks = jwksService();
    const events = new InProcessEventBus();
    jwks.state.public = [retired.publicJwk, active.publicJwk];
    const ring = await PublicKeyRing.create(jwks.bus, events, 30_000, 0);
    const token = await retired.signing.sign({ iss: ISSUER, exp: Math.floor(Date.now() / 1000) + 60 }, 'at+jwt');
    await events.publish('key.rotated', rotated('active', 'retired', 'next'), { source: 'jwks' });
    await settle();
    assert.equal(ring.has('next'), false, 'the first answer did not show it yet');
    jwks.state.public = [retired.publicJwk, active.publicJwk, next.publicJwk];
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(ring.has('next'), true);
    assert.equal((await ring.verify(token, { issuer: ISSUER, typ: 'at+jwt' })).kid, 'retired');
    jwks.state.public = [active.publicJwk, next.publicJwk];
    await events.publish('key.removed', { kid: 'retired', alg: 'ES256', state: 'retired' }, { source: 'jwks' });
    await settle();
    assert.equal(ring.has('retired'), false);
    ring.close();
  });

  it('reloads on its own every refreshEveryMs, in case an event was missed', async () => {
    const first = await generated('ES256', 'first');
    const second = await generated('ES256', 'second');
    const jwks = jwksService();
    jwks.state.signing = [first.distributed];
    const ring = await SigningKeyRing.create(jwks.bus, new InProcessEventBus(), kekSetting, { refreshEveryMs: 50 });
    jwks.state.signing = [second.distributed];
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(ring.current('ES256').kid, 'second');
    ring.close();
  });

  it('reloads when the broker connection is back (key events missed meanwhile), not when it is lost', async () => {
    const first = await generated('ES256', 'first');
    const second = await generated('ES256', 'second');
    const jwks = jwksService();
    const events = new ReconnectingEventBus();
    jwks.state.signing = [first.distributed];
    jwks.state.public = [first.publicJwk];
    const signing = await SigningKeyRing.create(jwks.bus, events, kekSetting, { refreshEveryMs: 0 });
    const verifying = await PublicKeyRing.create(jwks.bus, events, 30_000, 0);
    events.change('lost');
    jwks.state.signing = [second.distributed];
    jwks.state.public = [second.publicJwk];
    await settle();
    assert.equal(signing.current('ES256').kid, 'first');
    events.change('resumed');
    await settle();
    assert.equal(signing.current('ES256').kid, 'second');
    assert.equal(verifying.has('second'), true);
    assert.equal(verifying.has('first'), false);
    signing.close();
    verifying.close();
  });
});
