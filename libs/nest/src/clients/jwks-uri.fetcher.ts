import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { JsonWebKeySet } from '#contracts';
import { OutboundAddressPolicy, PrivateAddressRefused } from './outbound-address.policy.js';

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
 * redirects, and only to addresses the policy allows.
 */
export class JwksUriFetcher {
  constructor(
    private readonly policy: OutboundAddressPolicy,
    private readonly timeoutMs = JWKS_FETCH_TIMEOUT_MS,
    private readonly maxBytes = JWKS_MAX_BYTES,
  ) {}

  async fetch(uri: string): Promise<FetchedJwks> {
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      throw new JwksFetchFailed('the jwks_uri is not a URL');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new JwksFetchFailed('the jwks_uri is not http(s)');
    let lookup;
    try {
      lookup = this.policy.guard(url);
    } catch (err: unknown) {
      throw new JwksFetchFailed(`the jwks_uri is refused: ${(err as Error).message}`);
    }
    const { response, body } = await this.get(url, lookup);
    if (response.statusCode !== 200) throw new JwksFetchFailed(`the jwks_uri answered HTTP ${response.statusCode}`);
    return { jwks: parseJwks(body), maxAgeSeconds: cacheSeconds(response.headers['cache-control']) };
  }

  private get(url: URL, lookup: ReturnType<OutboundAddressPolicy['guard']>): Promise<{ response: IncomingMessage; body: string }> {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      let settled = false;
      const fail = (err: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        request.destroy();
        reject(err);
      };
      const request = send(url, { method: 'GET', headers: { accept: 'application/jwk-set+json, application/json' }, ...(lookup ? { lookup } : {}) }, (response) => {
        const declared = Number(response.headers['content-length']);
        if (Number.isFinite(declared) && declared > this.maxBytes) return fail(new JwksFetchFailed(`the JWK Set at jwks_uri is larger than ${this.maxBytes} bytes`));
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > this.maxBytes) return fail(new JwksFetchFailed(`the JWK Set at jwks_uri is larger than ${this.maxBytes} bytes`));
          chunks.push(chunk);
        });
        response.on('error', (err) => fail(new JwksFetchFailed(`reading the jwks_uri failed: ${err.message}`)));
        response.on('end', () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve({ response, body: Buffer.concat(chunks).toString('utf8') });
        });
      });
      const timer = setTimeout(() => fail(new JwksFetchFailed(`the jwks_uri did not answer within ${this.timeoutMs} ms`)), this.timeoutMs);
      request.on('error', (err: Error) =>
        fail(err instanceof PrivateAddressRefused ? new JwksFetchFailed(`the jwks_uri is refused: ${err.message}`) : new JwksFetchFailed(`the jwks_uri could not be fetched: ${err.message}`)),
      );
      request.end();
    });
  }
}
