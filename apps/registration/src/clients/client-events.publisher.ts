import { Inject, Injectable, Logger } from '@nestjs/common';
import type { EventType } from '#contracts';
import { EventBus } from '#nest';
import type { ClientEntity } from '../persistence/entities/client.entity.js';
import { clientEventData } from './client-information.js';

export type ClientEventType = Extract<EventType, `client.${string}`>;

/** Announces client changes (`client.registered|updated|deleted`) once they are committed. */
@Injectable()
export class ClientEventPublisher {
  private readonly logger = new Logger('ClientEvents');

  constructor(@Inject(EventBus) private readonly events: EventBus) {}

  async publish(type: ClientEventType, client: ClientEntity, requestId?: string): Promise<void> {
    const envelope = EventBus.envelope(type, clientEventData(client), { source: 'registration', requestId });
    // TODO(#5): transactional outbox. Until then the change stays committed and a failed publish is logged with the event id.
    await this.events.publishEnvelope(envelope).catch((err: unknown) => {
      this.logger.error(`event ${envelope.id} (${type} for client ${client.clientId}, revision ${client.revision}) not published: ${(err as Error).message}`);
    });
  }
}
