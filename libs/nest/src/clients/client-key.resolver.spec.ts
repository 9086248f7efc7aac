import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ClientRecord, JsonWebKeySet } from '#contracts';
import { ClientKeyResolver, ClientKeyUnavailable } from './client-key.resolver.js';
import { JwksFetchFailed, JwksUriFetcher, type FetchedJwks } from './jwks-uri.fetcher.js';
import { OutboundAddressPolicy } from './outbound-address.policy.js';

const URI = 'https://keys.example/jwks';
const client: ClientRecord = {
  client_id: 'remote',
  metadata: { redirect_uris: [], token_endpoint_auth_method: 'private_key_jwt', grant_types: ['client_credentials'], response_types: [], scope: 'system/*.rs', jwks_uri: URI },
  client_id_issued_at: 0,
  revision: 1,
};

/** The network, scripted: the JWK Set served now, or a failure. */
class ScriptedFetcher extends JwksUriFetcher {
  fetches = 0;
  served: JsonWebKeySet | 'fail' = { keys: [{ kid: 'a' }] };
  maxAge = 300;
  constructor() {
    super(OutboundAddressPolicy.allowingEverything());
  }
  override async fetch(): Promise<FetchedJwks> {
    this.fetches++;
    await new Promise((r) => setTimeout(r, 5));
    if (this.served === 'fail') throw new JwksFetchFailed('the jwks_uri did not answer within 3000 ms');
    return { jwks: structuredClone(this.served), maxAgeSeconds: this.maxAge };
  }
}

function setup() {
  let now = 1_000_000;
  const fetcher = new ScriptedFetcher();
  const resolver = new ClientKeyResolver(fetcher, () => now);
  return { fetcher, resolver, advance: (ms: number) => (now += ms) };
}

describe('ClientKeyResolver', () => {
  it('caches a fetched set for its max-age and shares concurrent fetches', async () => {
    const { fetcher, resolver, advance } = setup();
    await Promise.all([resolver.keyFor(client, 'a'), resolver.keyFor(client, 'a'), resolver.keyFor(client, 'a')]);
    assert.equal(fetcher.fetches, 1);
    advance(299_000);
    await resolver.keyFor(client, 'a');
    assert.equal(fetcher.fetches, 1);
    advance(2_000);
    await resolver.keyFor(client, 'a');
    assert.equal(fetcher.fetches, 2);
  });

  it('refetches for an unknown kid, at most every ten seconds', async () => {
    const { fetcher, resolver, advance } = setup();
    await resolver.keyFor(client, 'a');
    fetcher.served = { keys: [{ kid: 'a' }, { kid: 'b' }] };
    await assert.rejects(resolver.keyFor(client, 'zzz'), /no key with kid "zzz"/); // too soon: no refetch
    assert.equal(fetcher.fetches, 1);
    advance(10_000);
    assert.equal((await resolver.keyFor(client, 'b')).kid, 'b'); // rotated in: found after one refetch
    assert.equal(fetcher.fetches, 2);
    await assert.rejects(resolver.keyFor(client, 'zzz'), ClientKeyUnavailable);
    await assert.rejects(resolver.keyFor(client, 'yyy'), ClientKeyUnavailable);
    assert.equal(fetcher.fetches, 2);
  });

  it('reports a failing jwks_uri and does not hammer it', async () => {
    const { fetcher, resolver, advance } = setup();
    fetcher.served = 'fail';
    await assert.rejects(resolver.keyFor(client, 'a'), /did not answer within/);
    await assert.rejects(resolver.keyFor(client, 'a'), /did not answer within/);
    assert.equal(fetcher.fetches, 1);
    advance(10_000);
    fetcher.served = { keys: [{ kid: 'a' }] };
    assert.equal((await resolver.keyFor(client, 'a')).kid, 'a');
  });
});
