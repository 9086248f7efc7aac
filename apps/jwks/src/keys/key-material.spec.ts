import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { calculateJwkThumbprint, importJWK, jwtVerify, SignJWT, type JWK } from 'jose';
import { KeyEncryption } from '#oauth';
import { generateSigningKey, openPrivateJwk, publicPart, sealPrivateJwk, SIGNING_ALGORITHMS, type SigningAlgorithm } from './key-material.js';
import { UndecryptableKeyError } from './undecryptable-key.error.js';

const KEK = KeyEncryption.generateSetting();
const OTHER_KEK = KeyEncryption.generateSetting();
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

const EXPECTED: Record<SigningAlgorithm, { kty: string; crv?: string }> = {
  RS256: { kty: 'RSA' },
  RS384: { kty: 'RSA' },
  RS512: { kty: 'RSA' },
  ES256: { kty: 'EC', crv: 'P-256' },
  ES384: { kty: 'EC', crv: 'P-384' },
  ES512: { kty: 'EC', crv: 'P-521' },
};

describe('generateSigningKey', () => {
  for (const alg of SIGNING_ALGORITHMS) {
    it(`${alg}: bare public JWK, RFC 7638 kid, private half that signs`, async () => {
      const key = await generateSigningKey(alg);
      const { kty, crv } = EXPECTED[alg];
      assert.equal(key.publicJwk.kty, kty);
      if (crv) assert.equal(key.publicJwk.crv, crv);
      if (kty === 'RSA') assert.equal(Buffer.from(key.publicJwk.n as string, 'base64url').length * 8, 2048);
      assert.equal(key.publicJwk.alg, alg);
      assert.equal(key.publicJwk.use, 'sig');
      assert.equal(key.kid, await calculateJwkThumbprint(key.publicJwk as JWK));
      assert.equal(key.publicJwk.kid, key.kid);
      for (const member of PRIVATE_MEMBERS) assert.equal(member in key.publicJwk, false, `no ${member} in the public JWK`);
      assert.equal(typeof key.privateJwk.d, 'string');

      const encryption = KeyEncryption.fromSetting(KEK);
      const sealed = sealPrivateJwk(key.privateJwk, encryption);
      assert.equal(sealed.kekId, encryption.primaryKeyId);
      assert.equal(sealed.encryptedPrivateJwk.includes(key.privateJwk.d!), false, 'the private key is not in the clear');
      const opened = openPrivateJwk({ kid: key.kid, ...sealed }, encryption);
      assert.deepEqual(opened, key.privateJwk);

      const jwt = await new SignJWT({}).setProtectedHeader({ alg, kid: key.kid }).sign(await importJWK(opened, alg));
      const { protectedHeader } = await jwtVerify(jwt, await importJWK(key.publicJwk as JWK, alg));
      assert.equal(protectedHeader.kid, key.kid);
    });
  }
});

describe('openPrivateJwk', () => {
  const sealedWith = async (setting: string) => {
    const key = await generateSigningKey('ES256');
    return { key, sealed: { kid: key.kid, ...sealPrivateJwk(key.privateJwk, KeyEncryption.fromSetting(setting)) } };
  };

  it('opens with a KEK ring whose older key sealed it (KEK rotation)', async () => {
    const { key, sealed } = await sealedWith(KEK);
    assert.deepEqual(openPrivateJwk(sealed, KeyEncryption.fromSetting(`${OTHER_KEK},${KEK}`)), key.privateJwk);
  });

  const failures: Array<[string, (s: { kid: string; kekId: string; encryptedPrivateJwk: string }) => { kid: string; kekId: string; encryptedPrivateJwk: string }, string]> = [
    ['a wrong KEK', (s) => s, OTHER_KEK],
    ['a wrong KEK that claims the sealing key id', (s) => ({ ...s, encryptedPrivateJwk: s.encryptedPrivateJwk.replace(/^v1\.[^.]+\./, `v1.${KeyEncryption.fromSetting(OTHER_KEK).primaryKeyId}.`) }), OTHER_KEK],
    ['a tampered envelope', (s) => ({ ...s, encryptedPrivateJwk: s.encryptedPrivateJwk.slice(0, -4) + (s.encryptedPrivateJwk.endsWith('AAAA') ? 'BBBB' : 'AAAA') }), KEK],
    ['not an envelope', (s) => ({ ...s, encryptedPrivateJwk: '{"kty":"EC"}' }), KEK],
    ['the private key of another kid', (s) => ({ ...s, kid: 'another-kid' }), KEK],
  ];
  for (const [reason, alter, kek] of failures) {
    it(`detects ${reason}, naming the kid and the KEY_ENCRYPTION_KEY`, async () => {
      const { sealed } = await sealedWith(KEK);
      const stored = alter(sealed);
      assert.throws(
        () => openPrivateJwk(stored, KeyEncryption.fromSetting(kek)),
        (err: unknown) => {
          assert.ok(err instanceof UndecryptableKeyError);
          assert.equal(err.kid, stored.kid);
          assert.match(err.message, new RegExp(`^signing key ${stored.kid} cannot be decrypted: the KEY_ENCRYPTION_KEY is wrong`));
          return true;
        },
      );
    });
  }
});

describe('publicPart', () => {
  it('drops every private member and keeps the public ones', () => {
    const jwk = { kty: 'RSA', n: 'n', e: 'AQAB', d: 'd', p: 'p', q: 'q', dp: 'dp', dq: 'dq', qi: 'qi', oth: [], k: 'k', kid: 'x' };
    assert.deepEqual(publicPart(jwk), { kty: 'RSA', n: 'n', e: 'AQAB', kid: 'x' });
  });
});
