import { Logger } from '@nestjs/common';
import { importJWK, jwtVerify, type CryptoKey, type JWTPayload, type JWK, type KeyObject } from 'jose';
import { entityEventsSubject, Rpc } from '#contracts';
import type { EventBus } from '../messaging/event-bus.js';
import type { ServiceBus } from '../messaging/service-bus.js';
import { waitFor } from './wait-for.js';

const REFETCH_INTERVAL_MS = 5_000;
const ALGS = ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512'];

/**
 * Our own public keys, for verifying tokens we issued without a network call.
 * Reloaded on `key.*` events and, at most every five seconds, when a token
 * names a `kid` we do not know.
 */
export class PublicKeyRing {
  private readonly logger = new Logger('PublicKeyRing');
  private keys = new Map<string, { alg: string; key: CryptoKey | KeyObject | Uint8Array }>();
  private lastFetch = 0;
  private unsubscribe: () => void = () => undefined;

  private constructor(private readonly bus: ServiceBus) {}

  static async create(bus: ServiceBus, events: EventBus, waitMs = 30_000): Promise<PublicKeyRing> {
    const ring = new PublicKeyRing(bus);
    await waitFor(() => ring.reload(), 'public keys from the jwks service', ring.logger, waitMs);
    ring.unsubscribe = events.subscribe(entityEventsSubject('key'), () => {
      ring.reload().catch((err: unknown) => ring.logger.error(`reloading public keys failed: ${(err as Error).message}`));
    });
    return ring;
  }

  async reload(): Promise<void> {
    this.lastFetch = Date.now();
    const { keys } = await this.bus.request(Rpc.jwks.publicKeys, {});
    const next = new Map<string, { alg: string; key: CryptoKey | KeyObject | Uint8Array }>();
    for (const jwk of keys) {
      if (!ALGS.includes(jwk.alg)) continue;
      next.set(jwk.kid, { alg: jwk.alg, key: await importJWK(jwk as JWK, jwk.alg) });
    }
    this.keys = next;
  }

  private async resolve(kid: string | undefined, alg: string): Promise<CryptoKey | KeyObject | Uint8Array> {
    if (!kid) throw new Error('token has no kid');
    let entry = this.keys.get(kid);
    if (!entry && Date.now() - this.lastFetch > REFETCH_INTERVAL_MS) {
      await this.reload().catch(() => undefined);
      entry = this.keys.get(kid);
    }
    if (!entry || entry.alg !== alg) throw new Error('unknown signing key');
    return entry.key;
  }

  /** Verifies one of our JWTs (signature, `typ`, `iss`, `exp` with a small skew); throws when it is not valid. */
  async verify(jwt: string, options: { issuer: string; typ: string }): Promise<JWTPayload> {
    const { payload } = await jwtVerify(jwt, (header) => this.resolve(header.kid, header.alg), {
      issuer: options.issuer,
      typ: options.typ,
      algorithms: ALGS,
      clockTolerance: 30,
    });
    return payload;
  }

  close(): void {
    this.unsubscribe();
  }
}
