import type { OutboundAddressPolicy } from '../clients/outbound-address.policy.js';
import { outboundGet, OutboundGetFailed } from '../clients/outbound-get.js';
import { x509 } from './peculiar-x509.js';

export const CRL_FETCH_TIMEOUT_MS = 3_000;
export const CRL_MAX_BYTES = 1024 * 1024;
/** A fetched CRL is kept until its `nextUpdate`, and never longer than this. */
export const CRL_MAX_CACHE_SECONDS = 24 * 3600;
/** A CRL without `nextUpdate` is fetched again after this. */
export const CRL_DEFAULT_CACHE_SECONDS = 3600;
/** After a failed fetch, the URL is not asked again for this long (the failure is answered from memory). */
export const CRL_RETRY_AFTER_FAILURE_MS = 10_000;
const MAX_URLS = 256;

/** A CRL that could not be had; the message is safe to show. */
export class CrlUnavailable extends Error {
  override readonly name = 'CrlUnavailable';
}

/** Where CRLs come from (a fetcher with a cache; a fixed set in tests). */
export interface CrlSource {
  /** The CRL published at `url`. @throws CrlUnavailable */
  crl(url: string): Promise<x509.X509Crl>;
}

interface Entry {
  crl?: x509.X509Crl;
  /** Epoch ms until which `crl` is used without asking again. */
  freshUntil: number;
  failure?: { message: string; at: number };
  inflight?: Promise<x509.X509Crl>;
}

/**
 * Fetches CRLs from their distribution points (RFC 5280 §4.2.1.13): GET with
 * a deadline and a size cap, to public addresses only unless allow-listed
 * (outbound-address.policy.ts), DER or PEM; kept until their `nextUpdate`
 * (at most a day), concurrent fetches of one URL shared, a failing URL not
 * asked again for ten seconds.
 */
export class CrlFetcher implements CrlSource {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly policy: OutboundAddressPolicy,
    private readonly timeoutMs = CRL_FETCH_TIMEOUT_MS,
    private readonly maxBytes = CRL_MAX_BYTES,
    private readonly now: () => number = Date.now,
  ) {}

  async crl(url: string): Promise<x509.X509Crl> {
    let entry = this.entries.get(url);
    const now = this.now();
    if (entry?.crl && entry.freshUntil > now) return entry.crl;
    if (entry?.inflight) return entry.inflight;
    if (entry?.failure && now - entry.failure.at < CRL_RETRY_AFTER_FAILURE_MS) throw new CrlUnavailable(entry.failure.message);
    if (!entry) {
      if (this.entries.size >= MAX_URLS) this.entries.delete(this.entries.keys().next().value as string);
      entry = { freshUntil: 0 };
      this.entries.set(url, entry);
    }
    const current = entry;
    current.inflight = this.fetch(url)
      .then((crl) => {
        const nextUpdate = crl.nextUpdate?.getTime() ?? this.now() + CRL_DEFAULT_CACHE_SECONDS * 1000;
        current.crl = crl;
        current.freshUntil = Math.min(nextUpdate, this.now() + CRL_MAX_CACHE_SECONDS * 1000);
        current.failure = undefined;
        return crl;
      })
      .catch((err: unknown) => {
        const message = err instanceof CrlUnavailable ? err.message : `the CRL at ${url} could not be fetched`;
        current.failure = { message, at: this.now() };
        current.crl = undefined;
        throw new CrlUnavailable(message);
      })
      .finally(() => {
        current.inflight = undefined;
      });
    return current.inflight;
  }

  private async fetch(url: string): Promise<x509.X509Crl> {
    const what = `the CRL at ${url.slice(0, 200)}`;
    let answer;
    try {
      answer = await outboundGet(url, { policy: this.policy, timeoutMs: this.timeoutMs, maxBytes: this.maxBytes, accept: 'application/pkix-crl, application/x-pkcs7-crl, */*', what });
    } catch (err: unknown) {
      throw err instanceof OutboundGetFailed ? new CrlUnavailable(err.message) : err;
    }
    if (answer.status !== 200) throw new CrlUnavailable(`${what} answered HTTP ${answer.status}`);
    try {
      const text = answer.body.toString('latin1');
      return text.includes('-----BEGIN X509 CRL-----') ? new x509.X509Crl(text) : new x509.X509Crl(new Uint8Array(answer.body));
    } catch {
      throw new CrlUnavailable(`${what} is not a DER or PEM CRL`);
    }
  }
}
