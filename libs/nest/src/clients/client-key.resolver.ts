import type { ClientRecord, JsonWebKeySet } from '#contracts';
import { evictOldest, watchedCache } from '../caching/bounded-entries.js';
import { JwksFetchFailed, type FetchedJwks, type JwksUriFetcher } from './jwks-uri.fetcher.js';

/** At most one refetch of a `jwks_uri` this often, however many unknown `kid`s appear. */
export const JWKS_REFETCH_INTERVAL_MS = 10_000;
const MAX_URIS = 1_000;

interface UriEntry {
  jwks?: JsonWebKeySet;
  /** Epoch ms until which `jwks` is fresh. */
  freshUntil: number;
  /** Epoch ms of the last fetch attempt, successful or not. */
  lastAttempt: number;
  /** Why the last attempt failed, when it did. */
  failure?: string;
  inflight?: Promise<void>;
}

/** A client's key could not be found; the message is safe to show. */
export class ClientKeyUnavailable extends Error {
  override readonly name = 'ClientKeyUnavailable';
}

/**
 * Finds the public key a client signs its assertions with: in its registered
 * `jwks`, or in the JWK Set at its `jwks_uri`. Fetched sets are cached for
 * as long as their `Cache-Control` allows (within bounds); a `kid` missing
 * from a cached set triggers one refetch, at most every ten seconds per URI,
 * and concurrent fetches of one URI are shared.
 */
export class ClientKeyResolver {
  private readonly byUri = watchedCache('client_jwks_uris', new Map<string, UriEntry>());

  constructor(
    private readonly fetcher: JwksUriFetcher,
    private readonly now: () => number = Date.now,
  ) {}

  /** The JWK with this `kid`. @throws ClientKeyUnavailable */
  async keyFor(client: ClientRecord, kid: string): Promise<Record<string, unknown>> {
    const { jwks, jwks_uri: uri } = client.metadata;
    if (jwks) {
      const key = findKey(jwks, kid);
      if (!key) throw new ClientKeyUnavailable(`no key with kid "${kid.slice(0, 64)}" in the client's registered jwks`);
      return key;
    }
    if (!uri) throw new ClientKeyUnavailable('the client has registered neither jwks nor jwks_uri');
    return this.fromUri(uri, kid);
  }

  private async fromUri(uri: string, kid: string): Promise<Record<string, unknown>> {
    let entry = this.byUri.get(uri);
    const now = this.now();
    const cached = entry?.jwks && entry.freshUntil > now ? findKey(entry.jwks, kid) : undefined;
    if (cached) return cached;
    if (!entry) {
      if (this.byUri.size >= MAX_URIS) evictOldest('client_jwks_uris', this.byUri);
      entry = { freshUntil: 0, lastAttempt: 0 };
      this.byUri.set(uri, entry);
    }
    if (entry.inflight) await entry.inflight;
    else if (now - entry.lastAttempt >= JWKS_REFETCH_INTERVAL_MS || !entry.jwks) {
      if (now - entry.lastAttempt < JWKS_REFETCH_INTERVAL_MS && entry.failure) {
        throw new ClientKeyUnavailable(entry.failure); // a failing jwks_uri is not hammered
      }
      await this.refetch(uri, entry);
    }
    if (!entry.jwks) throw new ClientKeyUnavailable(entry.failure ?? 'the jwks_uri could not be fetched');
    const key = findKey(entry.jwks, kid);
    if (!key) throw new ClientKeyUnavailable(`no key with kid "${kid.slice(0, 64)}" in the JWK Set at the client's jwks_uri`);
    return key;
  }

  private refetch(uri: string, entry: UriEntry): Promise<void> {
    entry.lastAttempt = this.now();
    const inflight = this.fetcher
      .fetch(uri)
      .then(({ jwks, maxAgeSeconds }: FetchedJwks) => {
        entry.jwks = jwks;
        entry.freshUntil = this.now() + maxAgeSeconds * 1000;
        entry.failure = undefined;
      })
      .catch((err: unknown) => {
        // A stale set is kept (its keys still verify) but the failure is remembered for the backoff.
        entry.failure = err instanceof JwksFetchFailed ? err.message : 'the jwks_uri could not be fetched';
        if (entry.jwks && entry.freshUntil <= this.now()) entry.jwks = undefined;
      })
      .finally(() => {
        entry.inflight = undefined;
      });
    entry.inflight = inflight;
    return inflight;
  }
}

function findKey(jwks: JsonWebKeySet, kid: string): Record<string, unknown> | undefined {
  return jwks.keys.find((k) => k.kid === kid);
}
