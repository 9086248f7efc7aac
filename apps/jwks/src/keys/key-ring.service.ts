import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { entityEventsSubject, type DistributedSigningKey, type PublicJwk } from '#contracts';
import { ConfigurationError, EventBus } from '#nest';
import { KeyEncryption } from '#oauth';
import { JwksConfig } from '../config/jwks.config.js';
import type { SigningKeyEntity } from '../persistence/entities/signing-key.entity.js';
import { KeyStore, type NewSigningKey } from '../persistence/key.store.js';
import { generateSigningKey, openPrivateJwk, publishedJwk, sealPrivateJwk, type SigningAlgorithm } from './key-material.js';
import { UndecryptableKeyError } from './undecryptable-key.error.js';

/**
 * The key ring (next → active → retired). Keeps an in-memory copy so that the
 * public JWKS and the signing keys are served without a database read; the
 * copy is refreshed after every change, ours or (through `key.*` events) another
 * replica's. Scheduled rotation is issue #5; here every configured algorithm is
 * guaranteed one active key.
 */
@Injectable()
export class KeyRingService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('KeyRing');
  private readonly encryption: KeyEncryption;
  private readonly algs: SigningAlgorithm[];
  private published: PublicJwk[] = [];
  private distributed: DistributedSigningKey[] = [];
  private unsubscribe: () => void = () => undefined;
  /** Counts reloads, so that a slow one never overwrites a newer copy. */
  private reloads = 0;

  constructor(
    private readonly store: KeyStore,
    config: JwksConfig,
    @Inject(EventBus) private readonly events: EventBus,
  ) {
    this.encryption = KeyEncryption.fromSetting(config.KEY_ENCRYPTION_KEY);
    this.algs = [...new Set(config.SIGNING_ALGS.split(','))] as SigningAlgorithm[];
  }

  async onApplicationBootstrap(): Promise<void> {
    // Every stored key must open before anything is generated: a wrong KEK is a
    // configuration error, never a reason to mint replacement keys.
    await this.reload();
    this.unsubscribe = this.events.subscribe(entityEventsSubject('key'), () => {
      this.reload().catch((err: unknown) => this.logger.error(`reloading the key ring failed: ${(err as Error).message}`));
    });
    const created = await this.store.ensureActive(this.algs, (alg) => this.generate(alg as SigningAlgorithm));
    // Reloaded even when nothing was created here: another replica may have generated while we waited for the lock.
    await this.reload();
    for (const key of created) await this.announce(key);
  }

  onModuleDestroy(): void {
    this.unsubscribe();
  }

  /** The public JWKS: next, active and retired keys, public members only. */
  publicKeys(): PublicJwk[] {
    return this.published;
  }

  /** The active keys for token issuers; the private JWK stays sealed. */
  signingKeys(): DistributedSigningKey[] {
    return this.distributed;
  }

  /** Re-reads the ring and checks that every private key opens with the configured KEK ring. */
  private async reload(): Promise<void> {
    const reload = ++this.reloads;
    const keys = await this.store.all();
    if (reload !== this.reloads) return;
    try {
      for (const key of keys) openPrivateJwk(key, this.encryption);
    } catch (err: unknown) {
      if (err instanceof UndecryptableKeyError) throw new ConfigurationError([err.message]);
      throw err;
    }
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

  private async generate(alg: SigningAlgorithm): Promise<NewSigningKey> {
    const key = await generateSigningKey(alg);
    return { kid: key.kid, alg, publicJwk: key.publicJwk, ...sealPrivateJwk(key.privateJwk, this.encryption) };
  }

  private async announce(key: SigningKeyEntity): Promise<void> {
    this.logger.log(`generated ${key.alg} signing key ${key.kid}`);
    const event = EventBus.envelope('key.activated', { kid: key.kid, alg: key.alg, state: 'active' }, { source: 'jwks' });
    // TODO(#5): transactional outbox; until then a failed publish is logged with the event id.
    await this.events.publishEnvelope(event).catch((err: unknown) => {
      this.logger.error(`event ${event.id} (key.activated ${key.kid}) not published: ${(err as Error).message}`);
    });
  }
}
