import type { JsonWebKeySet } from '#contracts';
import type { OutboundAddressPolicy } from './outbound-address.policy.js';
import { outboundGet, OutboundGetFailed } from './outbound-get.js';

export const JWKS_FETCH_TIMEOUT_MS = 3_000;
export const JWKS_MAX_BYTES = 64 * 1024;
/** Bounds on how long a fetched JWK Set is used (Cache-Control max-age is clamped to these). */
export const JWKS_MIN_CACHE_SECONDS = 60;
export const JWKS_MAX_CACHE_SECONDS = 24 * 3600;
/** Used when the response says nothing about caching. */
export const JWKS_DEFAULT_CACHE_SECONDS = 300;
const MAX_KEYS = 32;

/** A `jwks_uri` that could not be used; the message is safe to show the client's developer. */
export class JwksFetchFailed extends Error {
  override readonly name = 'JwksFetchFailed';
}

export interface FetchedJwks {
  jwks: JsonWebKeySet;
  /** Seconds the set may be used before it is fetched again. */
  maxAgeSeconds: number;
}

/** Cache lifetime from `Cache-Control` (RFC 9111 §5.2.2), clamped to our bounds. */
export function cacheSeconds(cacheControl: string | undefined): number {
  if (!cacheControl) return JWKS_DEFAULT_CACHE_SECONDS;
  const directives = cacheControl.toLowerCase().split(',').map((d) => d.trim());
  if (directives.some((d) => d === 'no-store' || d === 'no-cache')) return JWKS_MIN_CACHE_SECONDS;
  const maxAge = directives.map((d) => /^max-age=(\d+)$/.exec(d)).find(Boolean);
  if (!maxAge) return JWKS_DEFAULT_CACHE_SECONDS;
  return Math.min(JWKS_MAX_CACHE_SECONDS, Math.max(JWKS_MIN_CACHE_SECONDS, Number(maxAge[1])));
}

/** The `keys` of a JWK Set (RFC 7517 §5): objects only, at most MAX_KEYS. */
export function parseJwks(body: string): JsonWebKeySet {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new JwksFetchFailed('the jwks_uri did not return JSON');
  }
  const keys = (parsed as { keys?: unknown } | null)?.keys;
  if (typeof parsed !== 'object' || parsed === null || !Array.isArray(keys)) throw new JwksFetchFailed('the jwks_uri did not return a JWK Set (RFC 7517 §5)');
  if (keys.length > MAX_KEYS) throw new JwksFetchFailed(`the JWK Set at jwks_uri has more than ${MAX_KEYS} keys`);
  return { keys: keys.filter((k): k is Record<string, unknown> => typeof k === 'object' && k !== null && !Array.isArray(k)) };
}

/**
 * Fetches a client's JWK Set: GET with a deadline, a size limit, no
 * redirects, and only to addresses the policy allows ({@link outboundGet}).
 */
export class JwksUriFetcher {
  constructor(
    private readonly policy: OutboundAddressPolicy,
    private readonly timeoutMs = JWKS_FETCH_TIMEOUT_MS,
    private readonly maxBytes = JWKS_MAX_BYTES,
  ) {}

  async fetch(uri: string): Promise<FetchedJwks> {
    let answer;
    try {
      answer = await outboundGet(uri, { policy: this.policy, timeoutMs: this.timeoutMs, maxBytes: this.maxBytes, accept: 'application/jwk-set+json, application/json', what: 'the jwks_uri' });
    } catch (err: unknown) {
      throw err instanceof OutboundGetFailed ? new JwksFetchFailed(err.message) : err;
    }
    if (answer.status !== 200) throw new JwksFetchFailed(`the jwks_uri answered HTTP ${answer.status}`);
    return { jwks: parseJwks(answer.body.toString('utf8')), maxAgeSeconds: cacheSeconds(answer.headers['cache-control']) };
  }
}
