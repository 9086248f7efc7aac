import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ClientPrivileges, EventEnvelope } from '#contracts';
import { Outbox } from '#nest';
import type { ClientEntity } from '../persistence/entities/client.entity.js';
import { clientEventData } from './client-information.js';

export type ClientEventType = 'client.registered' | 'client.updated' | 'client.deleted';

/**
 * Client changes (`client.registered|updated|deleted`) through the
 * registration service's transactional outbox: written in the transaction
 * of the change, published right after the commit, relayed later when the
 * broker is down.
 */
@Injectable()
export class ClientEventPublisher {
  constructor(private readonly outbox: Outbox) {}

  add(manager: EntityManager, type: ClientEventType, client: ClientEntity, requestId?: string): Promise<EventEnvelope> {
    return this.outbox.add(manager, type, clientEventData(client), { requestId });
  }

  /** `client.approved` / `client.rejected`: an administrator's decision on the privileges named. */
  addDecision(manager: EntityManager, type: 'client.approved' | 'client.rejected', client: ClientEntity, privileges: ClientPrivileges, requestId?: string): Promise<EventEnvelope> {
    return this.outbox.add(manager, type, { ...clientEventData(client), privileges }, { requestId });
  }

  /** After the commit: caches elsewhere drop the client as soon as the broker takes it; failures are left to the relay. */
  async committed(envelope: EventEnvelope): Promise<void> {
    await this.outbox.publish([envelope]).catch(() => undefined);
  }
}
