import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { SignJWT } from 'jose';
import { signX5cJwt, TestPki, type TestCertificate } from '#testing';
import { readX5cSignedJwt, X5cJwtRejected } from './x5c-jwt.js';

/** The JWT with its protected header replaced (its signature no longer matches). */
const withHeader = (jwt: string, header: Record<string, unknown>) => jwt.replace(/^[^.]+/, Buffer.from(JSON.stringify(header)).toString('base64url'));

describe('UDAP JWT signed by its x5c certificate (UDAP Security 2.0 §7.1)', () => {
  let pki: TestPki;
  let rsa: TestCertificate;
  let ec: TestCertificate;
  before(async () => {
    pki = await TestPki.create();
    rsa = await pki.issue({ uris: ['https://app.example/rsa'] });
    ec = await pki.issue({ uris: ['https://app.example/ec'], kind: 'ec' });
  });

  it('verifies RS256 and ES256 with the leaf key and hands back the chain it carried', async () => {
    for (const signer of [rsa, ec]) {
      const read = await readX5cSignedJwt(await signX5cJwt({ iss: 'https://app.example' }, signer, [pki.intermediate]));
      assert.equal(read.payload.iss, 'https://app.example');
      assert.equal(read.header.alg, signer.alg);
      assert.equal(read.intermediates.length, 1);
    }
  });

  const refusals: Array<[string, () => Promise<unknown>, RegExp]> = [
    ['a signature by another key', async () => {
      const other = (await webcrypto.subtle.generateKey({ name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 }, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
      return signX5cJwt({}, rsa, [], { key: other.privateKey });
    }, /does not verify/],
    ['no x5c', async () => new SignJWT({}).setProtectedHeader({ alg: 'RS256' }).sign(rsa.keys.privateKey), /x5c/],
    ['an x5c entry that is not a certificate', async () => new SignJWT({}).setProtectedHeader({ alg: 'RS256', x5c: ['AAAA'] }).sign(rsa.keys.privateKey), /not a DER X.509/],
    ['an algorithm outside the list', async () => withHeader(await signX5cJwt({}, rsa), { alg: 'PS256', x5c: [rsa.x5c] }), /not accepted/],
    ['an EC key claiming RS256', async () => withHeader(await signX5cJwt({}, ec), { alg: 'RS256', x5c: [ec.x5c] }), /does not verify/],
    ['not a JWT', async () => 'abc.def', /compact JWS/],
  ];
  for (const [name, make, message] of refusals) {
    it(`refuses ${name}`, async () => {
      await assert.rejects(readX5cSignedJwt(await make()), (err: unknown) => err instanceof X5cJwtRejected && message.test(err.message));
    });
  }
});
