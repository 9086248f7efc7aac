import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { entityEventsSubject, type DistributedSigningKey, type PublicJwk } from '#contracts';
import { ConfigurationError, EventBus, suiteMetrics } from '#nest';
import { KeyEncryption } from '#oauth';
import { JwksConfig } from '../config/jwks.config.js';
import { KeyStore, type NewSigningKey } from '../persistence/key.store.js';
import { generateSigningKey, openPrivateJwk, publishedJwk, sealPrivateJwk, type SigningAlgorithm } from './key-material.js';
import type { RingKey } from './rotation-schedule.js';
import { UndecryptableKeyError } from './undecryptable-key.error.js';

/**
 * This replica's copy of the key ring (next → active → retired), so that the
 * public JWKS and the signing keys are served without a database read. The
 * copy is refreshed after every change, ours or (through `key.*` events, a
 * reconnection to the broker, and the scheduler's periodic check) another
 * replica's. Every stored private key
 * must open with the configured key-encryption key: a wrong one is a
 * configuration error, never a reason to mint replacement keys.
 */
@Injectable()
export class KeyRingService implements OnModuleDestroy {
  private readonly logger = new Logger('KeyRing');
  private readonly encryption: KeyEncryption;
  private keys: RingKey[] = [];
  private published: PublicJwk[] = [];
  private distributed: DistributedSigningKey[] = [];
  private unsubscribe: () => void = () => undefined;
  private unfollowConnection: () => void = () => undefined;
  private unwatch: () => void = () => undefined;
  /** Reloads run one after the other, so the copy is never older than the last one that finished. */
  private reloading: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: KeyStore,
    config: JwksConfig,
    @Inject(EventBus) private readonly events: EventBus,
  ) {
    this.encryption = KeyEncryption.fromSetting(config.KEY_ENCRYPTION_KEY);
  }

  /** Loads the ring (throwing ConfigurationError when a stored key does not open) and follows `key.*` events. */
  async start(): Promise<void> {
    this.unsubscribe = this.events.subscribe(entityEventsSubject('key'), () => {
      this.reload().catch((err: unknown) => this.logger.error(`reloading the key ring failed: ${(err as Error).message}`));
    });
    // The key.* events of a time without the broker were not delivered: reload once it is back.
    this.unfollowConnection = this.events.onConnectionChange((change) => {
      if (change === 'resumed') this.reload().catch((err: unknown) => this.logger.error(`reloading the key ring failed: ${(err as Error).message}`));
    });
    await this.reload();
    // signing_key_age_seconds, read at each scrape from the ring as last loaded.
    this.unwatch = suiteMetrics().watchKeys(() =>
      this.keys.map((k) => ({ labels: { kid: k.kid, state: k.state, alg: k.alg }, value: Math.max(0, (Date.now() - k.createdAt.getTime()) / 1000) })),
    );
  }

  onModuleDestroy(): void {
    this.unsubscribe();
    this.unfollowConnection();
    this.unwatch();
  }

  /** The public JWKS: next, active and retired keys, public members only. */
  publicKeys(): PublicJwk[] {
    return this.published;
  }

  /** The active keys for token issuers; the private JWK stays sealed. */
  signingKeys(): DistributedSigningKey[] {
    return this.distributed;
  }

  /** States and dates of every key, for the schedule. */
  snapshot(): readonly RingKey[] {
    return this.keys;
  }

  /** A new key pair for `alg`, its private half sealed under the primary key-encryption key. */
  async generate(alg: string): Promise<NewSigningKey> {
    const key = await generateSigningKey(alg as SigningAlgorithm);
    return { kid: key.kid, alg, publicJwk: key.publicJwk, ...sealPrivateJwk(key.privateJwk, this.encryption) };
  }

  /** Re-reads the ring and checks that every private key opens with the configured KEK ring. */
  reload(): Promise<void> {
    const run = this.reloading.catch(() => undefined).then(() => this.load());
    this.reloading = run;
    return run;
  }

  private async load(): Promise<void> {
    const keys = await this.store.all();
    try {
      for (const key of keys) openPrivateJwk(key, this.encryption);
    } catch (err: unknown) {
      if (err instanceof UndecryptableKeyError) throw new ConfigurationError([err.message]);
      throw err;
    }
    this.keys = keys.map((k) => ({ kid: k.kid, alg: k.alg, state: k.state, createdAt: k.createdAt, activatedAt: k.activatedAt, retiredAt: k.retiredAt }));
    this.published = keys.map((k) => publishedJwk(k.publicJwk, k.kid, k.alg));
    this.distributed = keys
      .filter((k) => k.state === 'active')
      .map((k) => ({
        kid: k.kid,
        alg: k.alg,
        state: k.state,
        encryptedPrivateJwk: k.encryptedPrivateJwk,
        publicJwk: publishedJwk(k.publicJwk, k.kid, k.alg),
      }));
  }
}
