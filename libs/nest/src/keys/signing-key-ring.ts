import { Logger } from '@nestjs/common';
import { importJWK, type CryptoKey, type JWK, type KeyObject } from 'jose';
import { entityEventsSubject, Rpc } from '#contracts';
import { KeyEncryption, TemporarilyUnavailable } from '#oauth';
import type { EventBus } from '../messaging/event-bus.js';
import type { ServiceBus } from '../messaging/service-bus.js';
import { waitFor } from './wait-for.js';

export interface SigningKey {
  kid: string;
  alg: string;
  key: CryptoKey | KeyObject | Uint8Array;
}

/**
 * The active signing keys, as distributed by the jwks service: encrypted on
 * the wire, decrypted here with the key-encryption key, kept in memory and
 * reloaded whenever a `key.*` event says the ring changed.
 */
export class SigningKeyRing {
  private readonly logger = new Logger('SigningKeyRing');
  private byAlg = new Map<string, SigningKey>();
  private unsubscribe: () => void = () => undefined;

  private constructor(
    private readonly bus: ServiceBus,
    private readonly encryption: KeyEncryption,
  ) {}

  /** Loads the ring, retrying while the jwks service is not up yet (at most `waitMs`). */
  static async create(bus: ServiceBus, events: EventBus, keyEncryptionKey: string, waitMs = 30_000): Promise<SigningKeyRing> {
    const ring = new SigningKeyRing(bus, KeyEncryption.fromSetting(keyEncryptionKey));
    await waitFor(() => ring.reload(), 'signing keys from the jwks service', ring.logger, waitMs);
    ring.unsubscribe = events.subscribe(entityEventsSubject('key'), () => {
      ring.reload().catch((err: unknown) => ring.logger.error(`reloading signing keys failed: ${(err as Error).message}`));
    });
    return ring;
  }

  async reload(): Promise<void> {
    const { keys } = await this.bus.request(Rpc.jwks.signingKeys, {});
    const next = new Map<string, SigningKey>();
    for (const distributed of keys) {
      if (distributed.state !== 'active') continue;
      const jwk = JSON.parse(this.encryption.decrypt(distributed.encryptedPrivateJwk)) as JWK;
      next.set(distributed.alg, { kid: distributed.kid, alg: distributed.alg, key: await importJWK(jwk, distributed.alg) });
    }
    this.byAlg = next;
  }

  current(alg: string): SigningKey {
    const key = this.byAlg.get(alg);
    if (!key) throw new TemporarilyUnavailable(`no active ${alg} signing key`);
    return key;
  }

  close(): void {
    this.unsubscribe();
  }
}
