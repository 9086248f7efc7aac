import { Logger } from '@nestjs/common';
import { Rpc, type DistributedSigningKey, type EventEnvelope, type KeyEventData } from '#contracts';
import { KeyEncryption, TemporarilyUnavailable } from '#oauth';
import type { EventBus } from '../messaging/event-bus.js';
import type { ServiceBus } from '../messaging/service-bus.js';
import { followKeyEvents } from './key-events.js';
import { SigningKey } from './signing-key.js';

export interface SigningKeyRingOptions {
  /** Algorithms that must have an active key before start-up completes (e.g. ACCESS_TOKEN_ALG). */
  requiredAlgs?: readonly string[];
  /** How long to wait for the jwks service at start (default 30 s). */
  waitMs?: number;
  retryEveryMs?: number;
  /** Reload this often even without a `key.*` event (default 60 s; 0: never), in case one was missed. */
  refreshEveryMs?: number;
}

/**
 * The active signing keys, as distributed by the jwks service: encrypted on
 * the wire, decrypted here with the key-encryption key, kept in memory and
 * reloaded whenever a `key.*` event says the ring changed (STYLE pattern 8:
 * no module-level key globals). Only active keys sign: after a rotation the
 * ring signs with the new active key as soon as it has reloaded (within a
 * second of the `key.rotated` event).
 */
export class SigningKeyRing {
  private readonly logger = new Logger('SigningKeyRing');
  private byAlg = new Map<string, SigningKey>();
  /** Reloads may overlap (an event during start-up): an answer older than the one applied is dropped. */
  private requested = 0;
  private applied = 0;
  private unsubscribe: () => void = () => undefined;

  private constructor(
    private readonly bus?: ServiceBus,
    private readonly encryption?: KeyEncryption,
  ) {}

  /**
   * Loads the ring from the jwks service, retrying (with a log line) while
   * it is not up yet or has no active key for a required algorithm; after
   * `waitMs` start-up fails with a message saying what is missing.
   */
  static async create(bus: ServiceBus, events: EventBus, keyEncryptionKey: string, options: SigningKeyRingOptions = {}): Promise<SigningKeyRing> {
    const { requiredAlgs = [], waitMs = 30_000, retryEveryMs = 500, refreshEveryMs = 60_000 } = options;
    const ring = new SigningKeyRing(bus, KeyEncryption.fromSetting(keyEncryptionKey));
    // Subscribe before the first load so a rotation during start-up is not missed.
    ring.unsubscribe = followKeyEvents(events, { reload: () => ring.reload(), shows: (event) => ring.shows(event) }, ring.logger, refreshEveryMs);
    const deadline = Date.now() + waitMs;
    for (let attempt = 1; ; attempt++) {
      let problem: string;
      try {
        await ring.reload();
        const missing = requiredAlgs.filter((alg) => !ring.byAlg.has(alg));
        if (missing.length === 0) return ring;
        problem = `the jwks service has no active ${missing.join(', ')} signing key (is it in its SIGNING_ALGS?)`;
      } catch (err: unknown) {
        problem = `signing keys unavailable: ${(err as Error).message}`;
      }
      if (Date.now() + retryEveryMs > deadline) {
        ring.close();
        throw new Error(`${problem}; gave up after ${Math.round(waitMs / 1000)} s`);
      }
      if (attempt === 1 || attempt % 10 === 0) ring.logger.warn(`waiting for the jwks service: ${problem}`);
      await new Promise((r) => setTimeout(r, retryEveryMs));
    }
  }

  /** A ring over keys already in memory (unit tests, tools); it never reloads. */
  static of(keys: Iterable<SigningKey>): SigningKeyRing {
    const ring = new SigningKeyRing();
    for (const key of keys) ring.byAlg.set(key.alg, key);
    return ring;
  }

  async reload(): Promise<void> {
    if (!this.bus || !this.encryption) return;
    const mine = ++this.requested;
    const { keys } = await this.bus.request(Rpc.jwks.signingKeys, {});
    const next = new Map<string, SigningKey>();
    for (const distributed of keys) {
      if (distributed.state !== 'active') continue;
      try {
        next.set(distributed.alg, await this.open(distributed));
      } catch (err: unknown) {
        // One unusable key must not take the others down; a ring without the needed alg answers 503.
        this.logger.error(`signing key ${distributed.kid} (${distributed.alg}) is unusable here: ${(err as Error).message}`);
      }
    }
    if (mine > this.applied) {
      this.applied = mine;
      this.byAlg = next;
    }
  }

  private async open(distributed: DistributedSigningKey): Promise<SigningKey> {
    const jwk = JSON.parse(this.encryption!.decrypt(distributed.encryptedPrivateJwk)) as Record<string, unknown>;
    return SigningKey.fromJwk(distributed.kid, distributed.alg, jwk);
  }

  /** Whether the ring signs with the key a `key.rotated` or `key.activated` event made active. */
  private shows(event: EventEnvelope): boolean {
    if (event.type !== 'key.rotated' && event.type !== 'key.activated') return true;
    const { kid, alg } = event.data as KeyEventData;
    return this.byAlg.get(alg)?.kid === kid;
  }

  /** The active key of `alg`; `temporarily_unavailable` when there is none. */
  current(alg: string): SigningKey {
    const key = this.byAlg.get(alg);
    if (!key) throw new TemporarilyUnavailable(`no active ${alg} signing key`);
    return key;
  }

  close(): void {
    this.unsubscribe();
  }

  /** Called by Nest when the ring is a provider. */
  onModuleDestroy(): void {
    this.close();
  }
}
