import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { AssertionReplayStore, InMemoryAssertionReplayStore } from '../messaging/assertion-replay.store.js';
import { InvalidDpopProof, OAuthError, TemporarilyUnavailable, UseDpopNonce } from '#oauth';
import { DpopNonces } from './dpop-nonce.js';
import { DpopProofVerifier } from './dpop-proof.verifier.js';

const TARGET = { method: 'POST', url: 'https://auth.example/token' };
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

/** A replay store whose broker is down (a fake collaborator, not the thing under test). */
class UnreachableStore extends AssertionReplayStore {
  async firstUse(): Promise<boolean> {
    throw new Error('no responders');
  }
}

Logger.overrideLogger(false);
describe('DPoP proof verification (RFC 9449 §4.3)', async () => {
  const es = await generateKeyPair('ES256', { extractable: true });
  const publicJwk = await exportJWK(es.publicKey);
  const privateJwk = await exportJWK(es.privateKey);
  const rsa = await generateKeyPair('PS256', { extractable: true });
  const other = await generateKeyPair('ES256');
  const now = () => Math.floor(Date.now() / 1000);

  async function proof(options: { header?: Record<string, unknown>; claims?: Record<string, unknown>; key?: CryptoKey; jwk?: JWK; alg?: string } = {}): Promise<string> {
    const alg = options.alg ?? 'ES256';
    return new SignJWT({ jti: randomUUID(), htm: 'POST', htu: TARGET.url, iat: now(), ...options.claims })
      .setProtectedHeader({ alg, typ: 'dpop+jwt', jwk: options.jwk ?? publicJwk, ...options.header })
      .sign(options.key ?? es.privateKey);
  }

  const verifier = () => new DpopProofVerifier(new InMemoryAssertionReplayStore());

  it('accepts a valid proof and answers the RFC 7638 thumbprint of its key', async () => {
    const verified = await verifier().verify([await proof()], TARGET);
    assert.equal(verified?.jkt, await calculateJwkThumbprint(publicJwk, 'sha256'));
  });

  it('accepts PS256, and an htu differing only by case of host, default port, query and fragment', async () => {
    const jwk = await exportJWK(rsa.publicKey);
    const verified = await verifier().verify([await proof({ alg: 'PS256', key: rsa.privateKey, jwk, claims: { htu: 'https://AUTH.example:443/token?x=1#f' } })], TARGET);
    assert.equal(verified?.jkt, await calculateJwkThumbprint(jwk, 'sha256'));
  });

  it('answers undefined when there is no proof', async () => {
    assert.equal(await verifier().verify(undefined, TARGET), undefined);
    assert.equal(await verifier().verify([], TARGET), undefined);
  });

  const unsigned = (header: Record<string, unknown>, claims: Record<string, unknown>) => `${b64(header)}.${b64(claims)}.`;
  const hmac = (header: Record<string, unknown>, claims: Record<string, unknown>) => {
    const input = `${b64(header)}.${b64(claims)}`;
    return `${input}.${createHmac('sha256', 'secret').update(input).digest('base64url')}`;
  };
  const fresh = () => ({ jti: randomUUID(), htm: 'POST', htu: TARGET.url, iat: now() });

  const cases: Array<[string, () => Promise<string[]>, RegExp]> = [
    ['two DPoP headers (item 1)', async () => [await proof(), await proof()], /exactly one/],
    ['not a JWT (item 2)', async () => ['not-a-jwt'], /not a signed JWT/],
    ['typ JWT (item 4)', async () => [await proof({ header: { typ: 'JWT' } })], /typ must be dpop\+jwt/],
    ['no typ (item 4)', async () => [await proof({ header: { typ: undefined } })], /typ must be dpop\+jwt/],
    ['alg none (item 5)', async () => [unsigned({ alg: 'none', typ: 'dpop+jwt', jwk: publicJwk }, fresh())], /alg must be one of/],
    ['alg HS256 (item 5)', async () => [hmac({ alg: 'HS256', typ: 'dpop+jwt', jwk: { kty: 'oct', k: 'c2VjcmV0' } }, fresh())], /alg must be one of/],
    ['a signature by another key (item 6)', async () => [await proof({ key: other.privateKey })], /signature does not verify/],
    ['no jwk (item 7)', async () => [await proof({ header: { jwk: undefined } })], /public key as jwk/],
    ['a private key in jwk (item 7)', async () => [await proof({ jwk: privateJwk })], /private key members/],
    ['a symmetric jwk (item 7)', async () => [await proof({ jwk: { kty: 'oct', k: 'c2VjcmV0' } })], /asymmetric public key/],
    ['no jti (item 3)', async () => [await proof({ claims: { jti: undefined } })], /jti is required/],
    ['htm GET (item 8)', async () => [await proof({ claims: { htm: 'GET' } })], /htm must be POST/],
    ['htu of another endpoint (item 9)', async () => [await proof({ claims: { htu: 'https://auth.example/par' } })], /htu must be/],
    ['htu of another host (item 9)', async () => [await proof({ claims: { htu: 'https://evil.example/token' } })], /htu must be/],
    ['htu not a URL (item 9)', async () => [await proof({ claims: { htu: '/token' } })], /htu must be/],
    ['iat two minutes back (item 11)', async () => [await proof({ claims: { iat: now() - 120 } })], /too old/],
    ['iat a minute ahead (item 11)', async () => [await proof({ claims: { iat: now() + 60 } })], /in the future/],
    ['no iat (item 11)', async () => [await proof({ claims: { iat: undefined } })], /iat is required/],
  ];
  for (const [name, make, description] of cases) {
    it(`refuses ${name} with invalid_dpop_proof`, async () => {
      const proofs = await make();
      await assert.rejects(verifier().verify(proofs, TARGET), (err: unknown) => {
        assert.ok(err instanceof InvalidDpopProof);
        assert.equal((err as OAuthError).status, 400);
        assert.match((err as OAuthError).description ?? '', description);
        return true;
      });
    });
  }

  it('refuses a replayed jti (§11.1), and a refused proof spends no jti', async () => {
    const shared = verifier();
    const jti = randomUUID();
    await assert.rejects(shared.verify([await proof({ claims: { jti, htm: 'GET' } })], TARGET), InvalidDpopProof);
    const once = await proof({ claims: { jti } });
    assert.ok(await shared.verify([once], TARGET));
    await assert.rejects(shared.verify([once], TARGET), /used before/);
  });

  it('with server nonces required (§8): no nonce or a wrong one is use_dpop_nonce with the nonce in DPoP-Nonce, and spends no jti', async () => {
    const nonces = DpopNonces.derive('deployment-key', 300);
    const strict = new DpopProofVerifier(new InMemoryAssertionReplayStore(), nonces);
    const jti = randomUUID();
    for (const nonce of [undefined, 'A'.repeat(22)]) {
      await assert.rejects(strict.verify([await proof({ claims: { jti, nonce } })], TARGET), (err: unknown) => {
        assert.ok(err instanceof UseDpopNonce);
        assert.equal(err.status, 400);
        assert.deepEqual(err.options.headers, { 'dpop-nonce': nonces.current() });
        return true;
      });
    }
    assert.ok(await strict.verify([await proof({ claims: { jti, nonce: nonces.current() } })], TARGET));
  });

  it('answers temporarily_unavailable when the replay store cannot be reached', async () => {
    await assert.rejects(new DpopProofVerifier(new UnreachableStore()).verify([await proof()], TARGET), TemporarilyUnavailable);
  });
});
