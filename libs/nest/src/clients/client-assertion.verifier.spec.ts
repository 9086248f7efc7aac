import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import type { ClientMetadata, ClientRecord } from '#contracts';
import { InMemoryAssertionReplayStore } from '../messaging/assertion-replay.store.js';
import { AssertionRejected } from './assertion-rejected.js';
import { ClientAssertionVerifier } from './client-assertion.verifier.js';
import { ClientKeyResolver } from './client-key.resolver.js';
import { JwksUriFetcher, type FetchedJwks } from './jwks-uri.fetcher.js';
import { OutboundAddressPolicy } from './outbound-address.policy.js';

const ISSUER = 'https://auth.example';
const TOKEN_URL = `${ISSUER}/token`;

function record(clientId: string, metadata: Partial<ClientMetadata>): ClientRecord {
  return {
    client_id: clientId,
    metadata: { redirect_uris: [], token_endpoint_auth_method: 'private_key_jwt', grant_types: ['client_credentials'], response_types: [], scope: 'system/*.rs', ...metadata },
    client_id_issued_at: 0,
    revision: 1,
  };
}

/** A fetcher answering from a map (counting fetches), standing in for the network. */
class FakeFetcher extends JwksUriFetcher {
  fetches = 0;
  constructor(private readonly sets: Map<string, FetchedJwks>) {
    super(OutboundAddressPolicy.allowingEverything());
  }
  override async fetch(uri: string): Promise<FetchedJwks> {
    this.fetches++;
    const set = this.sets.get(uri);
    if (!set) throw new Error('unreachable');
    return structuredClone(set);
  }
}

describe('ClientAssertionVerifier', () => {
  let es384: CryptoKey;
  let rs384: CryptoKey;
  let other: CryptoKey;
  let rsaPublicJwk: Record<string, unknown>;
  let verifier: ClientAssertionVerifier;
  const clients = new Map<string, ClientRecord>();

  before(async () => {
    const ec = await generateKeyPair('ES384', { extractable: true });
    const rsa = await generateKeyPair('RS384', { extractable: true });
    const stray = await generateKeyPair('ES384', { extractable: true });
    es384 = ec.privateKey;
    rs384 = rsa.privateKey;
    other = stray.privateKey;
    const ecJwk = { ...(await exportJWK(ec.publicKey)), kid: 'ec-1' };
    rsaPublicJwk = { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1' };
    clients.set('bulk', record('bulk', { jwks: { keys: [ecJwk, rsaPublicJwk] } }));
    clients.set('pinned', record('pinned', { jwks: { keys: [ecJwk, rsaPublicJwk] }, token_endpoint_auth_signing_alg: 'RS384' }));
    clients.set('remote', record('remote', { jwks_uri: 'https://keys.example/jwks' }));
    clients.set('secret', record('secret', { token_endpoint_auth_method: 'client_secret_basic' }));
    const fetcher = new FakeFetcher(new Map([['https://keys.example/jwks', { jwks: { keys: [ecJwk] }, maxAgeSeconds: 300 }]]));
    verifier = new ClientAssertionVerifier({ get: async (id) => clients.get(id) ?? null }, new ClientKeyResolver(fetcher), new InMemoryAssertionReplayStore(), ISSUER);
  });

  const now = () => Math.floor(Date.now() / 1000);
  function claims(clientId = 'bulk', overrides: JWTPayload = {}): JWTPayload {
    return { iss: clientId, sub: clientId, aud: TOKEN_URL, exp: now() + 240, iat: now(), jti: randomUUID(), ...overrides };
  }
  async function sign(payload: JWTPayload, header: Record<string, unknown> = {}, key: CryptoKey = es384): Promise<string> {
    const alg = (header.alg as string | undefined) ?? 'ES384';
    return new SignJWT(payload).setProtectedHeader({ alg, kid: alg.startsWith('RS') ? 'rsa-1' : 'ec-1', typ: 'JWT', ...header }).sign(key);
  }
  const authenticate = (jwt: string, clientId?: string, endpoint = '/token') => verifier.verify(jwt, { use: 'client_authentication', endpoint, clientId });

  it('accepts ES384 and RS384 assertions from registered jwks', async () => {
    assert.equal((await authenticate(await sign(claims()))).client.client_id, 'bulk');
    assert.equal((await authenticate(await sign(claims(), { alg: 'RS384' }, rs384))).client.client_id, 'bulk');
  });

  it('accepts the issuer and, at /introspect, its own URL as aud', async () => {
    await authenticate(await sign(claims('bulk', { aud: ISSUER })));
    await authenticate(await sign(claims('bulk', { aud: [TOKEN_URL, ISSUER] })));
    await authenticate(await sign(claims('bulk', { aud: `${ISSUER}/introspect` })), undefined, '/introspect');
  });

  it('accepts keys from a jwks_uri, fetched once', async () => {
    assert.equal((await authenticate(await sign(claims('remote')))).client.client_id, 'remote');
    assert.equal((await authenticate(await sign(claims('remote')))).client.client_id, 'remote');
  });

  it('refuses a replayed jti', async () => {
    const jwt = await sign(claims());
    await authenticate(jwt);
    await assert.rejects(authenticate(jwt), /jti has already been used/);
  });

  const refusals: Array<[string, () => Promise<string>, RegExp, string?]> = [
    ['an expired assertion', () => sign(claims('bulk', { exp: now() - 120 })), /expired/],
    ['exp too far ahead', () => sign(claims('bulk', { exp: now() + 600 })), /more than 300 seconds/],
    ['no exp', () => sign(claims('bulk', { exp: undefined })), /exp is required/],
    ['nbf in the future', () => sign(claims('bulk', { nbf: now() + 200 })), /not valid yet/],
    ['iat in the future', () => sign(claims('bulk', { iat: now() + 200 })), /iat is in the future/],
    ['no jti', () => sign(claims('bulk', { jti: undefined })), /jti is required/],
    ['a wrong aud', () => sign(claims('bulk', { aud: 'https://elsewhere.example/token' })), /aud must be/],
    ['aud of another endpoint', () => sign(claims('bulk', { aud: `${ISSUER}/introspect` })), /aud must be/],
    ['an aud array with a foreign value', () => sign(claims('bulk', { aud: [TOKEN_URL, 'https://elsewhere.example'] })), /aud must be/],
    ['sub other than iss', () => sign(claims('bulk', { sub: 'someone' })), /sub must be the client_id/],
    ['an unknown iss', () => sign(claims('nobody')), /iss is not a registered client/],
    ['iss other than the client_id parameter', () => sign(claims()), /does not match the client_id/, 'pinned'],
    ['a client registered for secrets', () => sign(claims('secret')), /registered for client_secret_basic/],
    ['an unknown kid', () => sign(claims(), { kid: 'nope' }), /no key with kid "nope"/],
    ['no kid', () => sign(claims(), { kid: undefined }), /no kid/],
    ['a signature by another key', () => sign(claims(), {}, other), /signature does not verify/],
    ['a key of another type than alg', () => sign(claims(), { alg: 'RS384', kid: 'ec-1' }, rs384), /cannot be used with RS384/],
    ['an alg other than the registered one', () => sign(claims('pinned')), /alg must be RS384/],
    ['a jku that is not the registered jwks_uri', () => sign(claims(), { jku: 'https://evil.example/jwks' }), /jku/],
    ['typ at+jwt', () => sign(claims(), { typ: 'at+jwt' }), /typ must be/],
    ['alg none', async () => `${b64({ alg: 'none', kid: 'ec-1' })}.${b64(claims())}.`, /alg "none" is not accepted/],
    ['HS256 keyed with the public key', async () => hs256(claims(), { alg: 'HS256', kid: 'rsa-1' }, JSON.stringify(rsaPublicJwk)), /alg "HS256" is not accepted/],
    ['a tampered payload', async () => tamper(await sign(claims())), /signature does not verify/],
    ['garbage', async () => 'not.a.jwt', /not a well-formed/],
  ];
  for (const [name, make, message, clientId] of refusals) {
    it(`refuses ${name}`, async () => {
      await assert.rejects(authenticate(await make(), clientId), (err: Error) => {
        assert.ok(err instanceof AssertionRejected, `${err.name}: ${err.message}`);
        assert.match(err.message, message);
        assert.doesNotMatch(err.message, /"(n|x|y|d)":/, 'no key material');
        return true;
      });
    });
  }

  it('as an authorization grant, takes sub as the user', async () => {
    const verified = await verifier.verify(await sign(claims('bulk', { sub: 'user-1' })), { use: 'authorization_grant', endpoint: '/token' });
    assert.equal(verified.subject, 'user-1');
  });
});

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

async function hs256(payload: JWTPayload, header: Record<string, unknown>, secret: string): Promise<string> {
  return new SignJWT(payload).setProtectedHeader(header as { alg: string }).sign(new TextEncoder().encode(secret));
}

function tamper(jwt: string): string {
  const [h, p, s] = jwt.split('.');
  const payload = JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<string, unknown>;
  payload.sub = 'other';
  payload.iss = 'bulk';
  payload.scope = 'x';
  return `${h}.${b64(payload)}.${s}`;
}
