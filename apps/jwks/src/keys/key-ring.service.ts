import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { DistributedSigningKey, PublicJwk } from '#contracts';
import { EventBus } from '#nest';
import { KeyEncryption } from '#oauth';
import { JwksConfig } from '../config/jwks.config.js';
import { SigningKeyEntity } from '../persistence/entities/signing-key.entity.js';
import { KeyStore } from '../persistence/key.store.js';
import { generateSigningKey, publicPart } from './key-material.js';

/**
 * The key ring (next → active → retired). Keeps an in-memory copy so that the
 * public JWKS and the signing keys are served without a database read.
 * Rotation on a schedule is issue #5; here every configured algorithm is
 * guaranteed one active key.
 */
@Injectable()
export class KeyRingService implements OnApplicationBootstrap {
  private readonly logger = new Logger('KeyRing');
  private readonly encryption: KeyEncryption;
  private keys: SigningKeyEntity[] = [];

  constructor(
    private readonly store: KeyStore,
    private readonly config: JwksConfig,
    @Inject(EventBus) private readonly events: EventBus,
  ) {
    this.encryption = KeyEncryption.fromSetting(config.KEY_ENCRYPTION_KEY);
  }

  async onApplicationBootstrap(): Promise<void> {
    this.keys = await this.store.all();
    this.assertDecryptable(this.keys);
    const algs = this.config.SIGNING_ALGS.split(',');
    const missing = algs.filter((alg) => !this.keys.some((k) => k.alg === alg && k.state === 'active'));
    if (missing.length) await this.generate(missing);
  }

  /** A wrong key-encryption key is a start-up error, never a reason to mint new keys. */
  private assertDecryptable(keys: SigningKeyEntity[]): void {
    for (const key of keys) {
      try {
        this.encryption.decrypt(key.encryptedPrivateJwk);
      } catch {
        throw new Error(
          `signing key ${key.kid} cannot be decrypted with the configured KEY_ENCRYPTION_KEY (it was encrypted under key id ${key.kekId}); ` +
            'set the key-encryption key the keys were created with',
        );
      }
    }
  }

  private async generate(algs: string[]): Promise<void> {
    const created = await this.store.underGenerationLock(async (manager) => {
      const repo = manager.getRepository(SigningKeyEntity);
      const made: SigningKeyEntity[] = [];
      for (const alg of algs) {
        // Another replica may have generated it while we waited for the lock.
        if (await repo.exists({ where: { alg, state: 'active' } })) continue;
        const key = await generateSigningKey(alg);
        made.push(
          await repo.save(
            repo.create({
              kid: key.kid,
              alg,
              state: 'active',
              publicJwk: key.publicJwk,
              encryptedPrivateJwk: this.encryption.encrypt(JSON.stringify(key.privateJwk)),
              kekId: this.encryption.primaryKeyId,
              activatedAt: new Date(),
              retiredAt: null,
            }),
          ),
        );
      }
      return made;
    });
    this.keys = await this.store.all();
    for (const key of created) {
      this.logger.log(`generated ${key.alg} signing key ${key.kid}`);
      // TODO(#5): transactional outbox; until then a failed publish is logged with the event id.
      await this.events
        .publish('key.activated', { kid: key.kid, alg: key.alg, state: 'active' }, { source: 'jwks' })
        .catch((err: unknown) => this.logger.error(`key.activated for ${key.kid} not published: ${(err as Error).message}`));
    }
  }

  publicKeys(): PublicJwk[] {
    return this.keys.map((k) => ({ ...publicPart(k.publicJwk), kid: k.kid, alg: k.alg, use: 'sig' }) as PublicJwk);
  }

  signingKeys(): DistributedSigningKey[] {
    return this.keys
      .filter((k) => k.state === 'active')
      .map((k) => ({
        kid: k.kid,
        alg: k.alg,
        state: k.state,
        encryptedPrivateJwk: k.encryptedPrivateJwk,
        publicJwk: { ...publicPart(k.publicJwk), kid: k.kid, alg: k.alg, use: 'sig' } as PublicJwk,
      }));
  }
}
