import type { CryptoKey } from 'jose';
import { Logger, type FactoryProvider } from '@nestjs/common';
import { Rpc, type EventEnvelope, type KeyRotatedData, type PublicJwk } from '#contracts';
import { EventBus } from '../messaging/event-bus.js';
import { ServiceBus } from '../messaging/service-bus.js';
import { headerOf, importPublicJwk, InvalidJwt, isJwsAlgorithm, typMatches, verifiedPayload } from './compact-jws.js';
import { followKeyEvents } from './key-events.js';

const REFETCH_INTERVAL_MS = 5_000;
const CLOCK_TOLERANCE_SECONDS = 30;

/** Claims of a JWT whose signature, `typ`, `iss` and lifetime have been checked. */
export interface VerifiedJwt {
  /** The `kid` of the key that signed it. */
  kid: string;
  claims: Record<string, unknown> & { iss: string; exp: number };
}

export interface JwtExpectations {
  issuer: string;
  typ: string;
  /** Seconds of clock skew allowed on `exp`, `nbf` and `iat` (default 30). */
  clockToleranceSeconds?: number;
}

interface VerificationKey {
  alg: string;
  key: CryptoKey;
}

/**
 * Our own public keys, for verifying tokens we issued without a network call
 * (a local JWKS, looked up by `kid`): next, active and retired keys, so a
 * token signed by a retired key verifies until that key leaves the ring (when
 * every token it signed has expired). Reloaded on `key.*` events, every
 * `refreshEveryMs` and, at most every five seconds, when a token names a
 * `kid` we do not know.
 */
export class PublicKeyRing {
  private readonly logger = new Logger('PublicKeyRing');
  private keys = new Map<string, VerificationKey>();
  private lastFetch = 0;
  private requested = 0;
  private applied = 0;
  /** The latest reload, so a token naming a key that is being fetched waits for it instead of failing. */
  private loading: Promise<void> = Promise.resolve();
  private unsubscribe: () => void = () => undefined;

  private constructor(private readonly bus?: ServiceBus) {}

  /**
   * Loads the ring, retrying while the jwks service is not up yet (at most
   * `waitMs`); reloads every `refreshEveryMs` (0: only on events) in case a
   * `key.*` event was missed.
   */
  static async create(bus: ServiceBus, events: EventBus, waitMs = 30_000, refreshEveryMs = 60_000): Promise<PublicKeyRing> {
    const ring = new PublicKeyRing(bus);
    ring.unsubscribe = followKeyEvents(events, { reload: () => ring.reload(), shows: (event) => ring.shows(event) }, ring.logger, refreshEveryMs);
    const deadline = Date.now() + waitMs;
    for (let attempt = 1; ; attempt++) {
      try {
        await ring.reload();
        return ring;
      } catch (err: unknown) {
        if (Date.now() + 500 > deadline) {
          ring.close();
          throw new Error(`public keys unavailable: ${(err as Error).message}; gave up after ${Math.round(waitMs / 1000)} s`);
        }
        if (attempt === 1 || attempt % 10 === 0) ring.logger.warn(`waiting for the jwks service: ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  /** A ring over a fixed JWKS (unit tests, tools); it never refetches. */
  static async of(jwks: Iterable<PublicJwk>): Promise<PublicKeyRing> {
    const ring = new PublicKeyRing();
    ring.keys = await PublicKeyRing.importAll(jwks, ring.logger);
    return ring;
  }

  private static async importAll(jwks: Iterable<PublicJwk>, logger: Logger): Promise<Map<string, VerificationKey>> {
    const next = new Map<string, VerificationKey>();
    for (const jwk of jwks) {
      if (!isJwsAlgorithm(jwk.alg) || typeof jwk.kid !== 'string') continue;
      try {
        next.set(jwk.kid, { alg: jwk.alg, key: await importPublicJwk(jwk, jwk.alg) });
      } catch (err: unknown) {
        logger.error(`public key ${jwk.kid} (${jwk.alg}) is unusable: ${(err as Error).message}`);
      }
    }
    return next;
  }

  async reload(): Promise<void> {
    if (!this.bus) return;
    this.lastFetch = Date.now();
    const mine = ++this.requested;
    const loading = this.bus.request(Rpc.jwks.publicKeys, {}).then(async ({ keys }) => {
      const next = await PublicKeyRing.importAll(keys, this.logger);
      if (mine > this.applied) {
        this.applied = mine;
        this.keys = next;
      }
    });
    this.loading = loading.catch(() => undefined);
    await loading;
  }

  /** Whether the ring holds what a `key.*` event announced (a removed key: no longer holds it). */
  private shows(event: EventEnvelope): boolean {
    const data = event.data as Partial<KeyRotatedData>;
    if (typeof data.kid !== 'string') return true;
    if (event.type === 'key.removed') return !this.has(data.kid);
    return this.has(data.kid) && (typeof data.next_kid !== 'string' || this.has(data.next_kid));
  }

  /** Whether `kid` is (still) one of our keys. */
  has(kid: string): boolean {
    return this.keys.has(kid);
  }

  private async resolve(kid: string | undefined): Promise<VerificationKey> {
    if (kid === undefined) throw new InvalidJwt('the token has no kid');
    let entry = this.keys.get(kid);
    if (!entry && this.bus) {
      if (Date.now() - this.lastFetch > REFETCH_INTERVAL_MS) {
        await this.reload().catch((err: unknown) => this.logger.warn(`refetching public keys failed: ${(err as Error).message}`));
      } else {
        await this.loading; // a rotation announced moments ago may still be loading
      }
      entry = this.keys.get(kid);
    }
    if (!entry) throw new InvalidJwt('unknown signing key', { transient: true });
    return entry;
  }

  /**
   * Verifies one of our JWTs: a known `kid` whose algorithm is the header's,
   * the signature, `typ`, `iss`, and `exp`/`nbf`/`iat` within the clock
   * tolerance (RFC 7519 §7.2, RFC 8725 §3.1, RFC 9068 §4). Throws InvalidJwt.
   */
  async verify(jwt: string, expected: JwtExpectations): Promise<VerifiedJwt> {
    if (typeof jwt !== 'string') throw new InvalidJwt('not a string');
    const header = headerOf(jwt);
    const { alg, key } = await this.resolve(header.kid);
    if (header.alg !== alg) throw new InvalidJwt('the header names another algorithm than the key');
    const claims = await verifiedPayload(jwt, alg, key);
    if (!typMatches(header.typ, expected.typ)) throw new InvalidJwt(`typ is not ${expected.typ}`);
    if (claims.iss !== expected.issuer) throw new InvalidJwt('unexpected iss');
    const tolerance = expected.clockToleranceSeconds ?? CLOCK_TOLERANCE_SECONDS;
    const now = Math.floor(Date.now() / 1000);
    if (typeof claims.exp !== 'number' || !Number.isFinite(claims.exp)) throw new InvalidJwt('exp is missing');
    if (claims.exp <= now - tolerance) throw new InvalidJwt('the token has expired');
    if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || claims.nbf > now + tolerance)) throw new InvalidJwt('the token is not valid yet', { transient: true });
    if (claims.iat !== undefined && (typeof claims.iat !== 'number' || claims.iat > now + tolerance)) throw new InvalidJwt('iat is in the future', { transient: true });
    return { kid: header.kid!, claims: claims as VerifiedJwt['claims'] };
  }

  close(): void {
    this.unsubscribe();
  }

  /** Called by Nest when the ring is a provider. */
  onModuleDestroy(): void {
    this.close();
  }
}

/** The process's {@link PublicKeyRing}, for a service module's providers: made once the jwks service has answered. */
export const PUBLIC_KEY_RING_PROVIDER: FactoryProvider<Promise<PublicKeyRing>> = {
  provide: PublicKeyRing,
  inject: [ServiceBus, EventBus],
  useFactory: (bus: ServiceBus, events: EventBus) => PublicKeyRing.create(bus, events),
};
