import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { ClientMetadata } from '#contracts';
import { generateOpaqueToken, secretMatchesHash, sha256Hex } from '#oauth';
import { RegistrationConfig } from '../config/registration.config.js';
import { ClientEntity } from '../persistence/entities/client.entity.js';
import { ClientStore } from '../persistence/client.store.js';
import { RegistrationService } from './registration.service.js';

const ADMIN_METADATA: ClientMetadata = {
  client_name: 'Administrator',
  redirect_uris: [],
  token_endpoint_auth_method: 'client_secret_basic',
  grant_types: ['client_credentials'],
  response_types: [],
  scope: 'admin introspect',
  application_type: 'web',
};

/** Creates or refreshes the configured administrator client, idempotently, under an advisory lock. */
@Injectable()
export class AdminClientBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger('AdminClient');

  constructor(
    private readonly store: ClientStore,
    private readonly config: RegistrationConfig,
    private readonly registration: RegistrationService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const clientId = this.config.ADMIN_CLIENT_ID;
    const secret = this.config.ADMIN_CLIENT_SECRET;
    if (!clientId || !secret) return;
    await this.store.underBootstrapLock(async () => {
      const existing = await this.store.find(clientId);
      if (!existing) {
        const client = Object.assign(new ClientEntity(), {
          clientId,
          metadata: ADMIN_METADATA,
          clientSecretHash: sha256Hex(secret),
          clientSecretExpiresAt: 0,
          // Not managed through /register: the token is hashed and thrown away.
          registrationTokenHash: sha256Hex(generateOpaqueToken(32)),
          clientIdIssuedAt: Math.floor(Date.now() / 1000),
          revision: 1,
          managed: true,
        });
        await this.store.insert(client);
        await this.registration.announce('client.registered', client);
        this.logger.log(`administrator client ${clientId} created`);
        return;
      }
      const sameSecret = existing.clientSecretHash !== null && secretMatchesHash(secret, existing.clientSecretHash);
      if (sameSecret && existing.managed && JSON.stringify(existing.metadata) === JSON.stringify(ADMIN_METADATA)) return;
      const updated = Object.assign(new ClientEntity(), existing, {
        metadata: ADMIN_METADATA,
        clientSecretHash: sha256Hex(secret),
        revision: existing.revision + 1,
      });
      await this.store.replace(updated, existing.revision);
      await this.store.markManaged(clientId);
      await this.registration.announce('client.updated', updated);
      this.logger.log(`administrator client ${clientId} updated`);
    });
  }
}
