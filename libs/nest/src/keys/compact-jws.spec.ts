import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT, type JWK } from 'jose';
import type { PublicJwk } from '#contracts';
import { importPrivateJwk, importPublicJwk, InvalidJwt, signCompact, typMatches } from './compact-jws.js';
import { PublicKeyRing } from './public-key-ring.js';
import { SigningKey } from './signing-key.js';

const ISSUER = 'https://auth.example';
const now = () => Math.floor(Date.now() / 1000);

async function keyPair(alg: string, kid: string): Promise<{ signing: SigningKey; publicJwk: PublicJwk; privateJwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const privateJwk = await exportJWK(privateKey);
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } as PublicJwk;
  return { signing: await SigningKey.fromJwk(kid, alg, privateJwk as Record<string, unknown>), publicJwk, privateJwk };
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('compact JWS through jose', () => {
  for (const alg of ['ES256', 'ES384', 'ES512', 'RS256']) {
    it(`${alg}: jose verifies what SigningKey signs, and the ring verifies what jose signs`, async () => {
      const { signing, publicJwk, privateJwk } = await keyPair(alg, `k-${alg}`);
      const claims = { iss: ISSUER, sub: 'c1', exp: now() + 60, iat: now() };
      const ours = await signing.sign(claims, 'at+jwt');
      const { payload, protectedHeader } = await jwtVerify(ours, await importJWK(publicJwk as JWK, alg), { issuer: ISSUER, typ: 'at+jwt' });
      assert.deepEqual(protectedHeader, { alg, kid: `k-${alg}`, typ: 'at+jwt' });
      assert.deepEqual(payload, claims);

      const theirs = await new SignJWT({ scope: 'x' })
        .setProtectedHeader({ alg, kid: `k-${alg}`, typ: 'at+jwt' })
        .setIssuer(ISSUER)
        .setIssuedAt()
        .setExpirationTime('1m')
        .sign(await importJWK(privateJwk, alg));
      const verified = await (await PublicKeyRing.of([publicJwk])).verify(theirs, { issuer: ISSUER, typ: 'at+jwt' });
      assert.equal(verified.kid, `k-${alg}`);
      assert.equal(verified.claims.scope, 'x');
    });
  }

  it('signs only with a private key of the algorithm\'s type, curve and hash', async () => {
    const es256 = await keyPair('ES256', 'a');
    const rs256 = await keyPair('RS256', 'b');
    const claims = { sub: 'c1' };
    await assert.rejects(signCompact({ alg: 'ES384', kid: 'a' }, claims, es256.signing.key), /cannot sign ES384/);
    await assert.rejects(signCompact({ alg: 'RS256', kid: 'a' }, claims, es256.signing.key), /cannot sign RS256/);
    await assert.rejects(signCompact({ alg: 'RS384', kid: 'b' }, claims, rs256.signing.key), /cannot sign RS384/);
    await assert.rejects(signCompact({ alg: 'ES256', kid: 'b' }, claims, rs256.signing.key), /cannot sign ES256/);
    await assert.rejects(signCompact({ alg: 'HS256', kid: 'a' }, claims, es256.signing.key), /cannot sign HS256/);
    const publicKey = (await importJWK(es256.publicJwk as JWK, 'ES256')) as Parameters<typeof signCompact>[2];
    await assert.rejects(signCompact({ alg: 'ES256', kid: 'a' }, claims, publicKey), /cannot sign ES256/);
  });

  it('makes a new signature each time (ECDSA), every one verified by jose', async () => {
    const { signing, publicJwk } = await keyPair('ES256', 'k');
    const key = await importJWK(publicJwk as JWK, 'ES256');
    const tokens = await Promise.all(Array.from({ length: 20 }, () => signing.sign({ sub: 'same' }, 'at+jwt')));
    assert.equal(new Set(tokens).size, 20);
    for (const token of tokens) assert.equal((await jwtVerify(token, key, { typ: 'at+jwt' })).payload.sub, 'same');
  });

  it('refuses a key that does not fit the algorithm', async () => {
    const { privateJwk, publicJwk } = await keyPair('ES256', 'k');
    await assert.rejects(importPrivateJwk(privateJwk as Record<string, unknown>, 'ES384'));
    await assert.rejects(importPublicJwk({ ...publicJwk, alg: undefined }, 'RS256'));
    await assert.rejects(importPublicJwk(publicJwk, 'HS256'), InvalidJwt);
    await assert.rejects(importPublicJwk({ ...publicJwk, d: 'x' }, 'ES256'), InvalidJwt);
  });

  const malformed: Array<[string, string]> = [
    ['two segments', 'a.b'],
    ['four segments', 'a.b.c.d'],
    ['non-base64url characters', `${b64({ alg: 'ES256' })}.${b64({})}.ab+c`],
    ['a header that is not JSON', `bm90IGpzb24.${b64({})}.AAAA`],
    ['a header that is an array', `${b64(['ES256'])}.${b64({})}.AAAA`],
    ['alg none', `${b64({ alg: 'none' })}.${b64({})}.AAAA`],
    ['alg HS256', `${b64({ alg: 'HS256' })}.${b64({})}.AAAA`],
    ['a crit header', `${b64({ alg: 'ES256', crit: ['b64'], b64: false })}.${b64({})}.AAAA`],
    ['a payload that is not an object', `${b64({ alg: 'ES256' })}.${b64('x')}.AAAA`],
  ];
  for (const [name, token] of malformed) {
    it(`refuses ${name}`, async () => {
      const { publicJwk } = await keyPair('ES256', 'k');
      await assert.rejects((await PublicKeyRing.of([publicJwk])).verify(token, { issuer: ISSUER, typ: 'at+jwt' }), InvalidJwt);
    });
  }

  const typs: Array<[string | undefined, string, boolean]> = [
    ['at+jwt', 'at+jwt', true],
    ['application/at+jwt', 'at+jwt', true],
    ['AT+JWT', 'at+jwt', true],
    ['JWT', 'at+jwt', false],
    [undefined, 'at+jwt', false],
  ];
  for (const [actual, expected, result] of typs) {
    it(`typ ${String(actual)} ${result ? 'matches' : 'does not match'} ${expected}`, () => assert.equal(typMatches(actual, expected), result));
  }
});

describe('PublicKeyRing.verify', async () => {
  const es = await keyPair('ES256', 'es');
  const rs = await keyPair('RS256', 'rs');
  const other = await keyPair('ES256', 'es'); // same kid, different key
  const ring = await PublicKeyRing.of([es.publicJwk, rs.publicJwk]);
  const valid = { iss: ISSUER, sub: 'c1', exp: now() + 60, iat: now() };
  const expect = { issuer: ISSUER, typ: 'at+jwt' };

  it('accepts a valid token and reports its kid', async () => {
    const { kid, claims } = await ring.verify(await es.signing.sign(valid, 'at+jwt'), expect);
    assert.equal(kid, 'es');
    assert.deepEqual(claims, valid);
  });

  it('accepts an exp within the clock tolerance', async () => {
    await ring.verify(await es.signing.sign({ ...valid, exp: now() - 10 }, 'at+jwt'), expect);
  });

  const [h, p, sig] = (await es.signing.sign(valid, 'at+jwt')).split('.');
  const hmacWithPublicKey = (() => {
    const header = b64({ alg: 'HS256', kid: 'es', typ: 'at+jwt' });
    const input = `${header}.${p}`;
    return `${input}.${createHmac('sha256', JSON.stringify(es.publicJwk)).update(input).digest('base64url')}`;
  })();
  const refused: Array<[string, string]> = [
    ['an expired token', await es.signing.sign({ ...valid, exp: now() - 31 }, 'at+jwt')],
    ['a token without exp', await es.signing.sign({ iss: ISSUER, sub: 'c1' }, 'at+jwt')],
    ['a token from another issuer', await es.signing.sign({ ...valid, iss: 'https://evil.example' }, 'at+jwt')],
    ['a token of another typ', await es.signing.sign(valid, 'JWT')],
    ['a token not valid yet', await es.signing.sign({ ...valid, nbf: now() + 120 }, 'at+jwt')],
    ['a token issued in the future', await es.signing.sign({ ...valid, iat: now() + 120 }, 'at+jwt')],
    ['a token signed by an impostor key with our kid', await other.signing.sign(valid, 'at+jwt')],
    ['a token of an unknown kid', await new SigningKey('nobody', 'ES256', es.signing.key).sign(valid, 'at+jwt')],
    ['a token without kid', await signCompact({ alg: 'ES256', typ: 'at+jwt' }, valid, es.signing.key)],
    ['a tampered payload', `${h}.${b64({ ...valid, sub: 'admin' })}.${sig}`],
    ['an ES256 header on the RS256 key (algorithm confusion)', await new SigningKey('rs', 'ES256', es.signing.key).sign(valid, 'at+jwt')],
    ['HS256 keyed with our public key', hmacWithPublicKey],
    ['alg none', `${b64({ alg: 'none', kid: 'es', typ: 'at+jwt' })}.${p}.`],
    ['garbage', 'invalid_token_value'],
  ];
  for (const [name, token] of refused) {
    it(`refuses ${name}`, async () => assert.rejects(ring.verify(token, expect), InvalidJwt));
  }
});
