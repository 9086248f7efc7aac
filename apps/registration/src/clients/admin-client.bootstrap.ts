import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { EventEnvelope } from '#contracts';
import { RegistrationConfig } from '../config/registration.config.js';
import { ClientStore } from '../persistence/client.store.js';
import { reconcileAdminClient } from './admin-client.js';
import { ClientEventPublisher } from './client-events.publisher.js';

/**
 * Creates or refreshes the configured administrator client at start-up,
 * idempotently and once across replicas; announces it only when it changed.
 */
@Injectable()
export class AdminClientBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger('AdminClient');

  constructor(
    private readonly store: ClientStore,
    private readonly config: RegistrationConfig,
    private readonly events: ClientEventPublisher,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const clientId = this.config.ADMIN_CLIENT_ID;
    const secret = this.config.ADMIN_CLIENT_SECRET;
    if (!clientId || !secret) return;
    let event: EventEnvelope | undefined;
    const change = await this.store.reconcileManaged(
      clientId,
      (existing) => reconcileAdminClient(existing, clientId, secret, new Date()),
      async (manager, c) => {
        event = await this.events.add(manager, c.kind === 'created' ? 'client.registered' : 'client.updated', c.client);
      },
    );
    if (change.kind === 'unchanged') return;
    if (event) await this.events.committed(event);
    this.logger.log(`administrator client ${clientId} ${change.kind} (revision ${change.client.revision})`);
  }
}
