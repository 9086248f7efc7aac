import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ClientPrivileges, EventEnvelope } from '#contracts';
import { Outbox } from '#nest';
import type { ClientEntity } from '../persistence/entities/client.entity.js';
import { clientEventData } from './client-information.js';

export type ClientEventType = 'client.registered' | 'client.updated' | 'client.deleted' | 'client.disabled' | 'client.enabled' | 'client.secret_rotated';

/**
 * Client changes (`client.registered|updated|deleted|approved|rejected|disabled|enabled|secret_rotated`) through the
 * registration service's transactional outbox: written in the transaction
 * of the change, published right after the commit, relayed later when the
 * broker is down.
 */
@Injectable()
export class ClientEventPublisher {
  constructor(private readonly outbox: Outbox) {}

  /** `actor`: the administrator who made the change (`user:<id>`, `client:<client_id>`), when one did. */
  add(manager: EntityManager, type: ClientEventType, client: ClientEntity, requestId?: string, actor?: string): Promise<EventEnvelope> {
    return this.outbox.add(manager, type, clientEventData(client, actor), { requestId });
  }

  /** `client.approved` / `client.rejected`: an administrator's decision on the privileges named. */
  addDecision(manager: EntityManager, type: 'client.approved' | 'client.rejected', client: ClientEntity, privileges: ClientPrivileges, requestId?: string, actor?: string): Promise<EventEnvelope> {
    return this.outbox.add(manager, type, { ...clientEventData(client, actor), privileges }, { requestId });
  }

  /** After the commit: caches elsewhere drop the client as soon as the broker takes it; failures are left to the relay. */
  async committed(envelope: EventEnvelope): Promise<void> {
    await this.outbox.publish([envelope]).catch(() => undefined);
  }
}
