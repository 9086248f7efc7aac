import { randomUUID } from 'node:crypto';
import { headers as natsHeaders, type MsgHdrs } from '@nats-io/transport-node';
import { outgoingHeaders } from '../observability/message-propagation.js';
import type { ReplyMux } from './reply-mux.js';
import type { Requester } from './requester.js';
import { answerOf, encodeRequest } from './rpc-packet.js';
import { BrokerUnavailable } from './transport-errors.js';

/**
 * The hot-path request client: speaks NestJS's NATS wire format
 * (`rpc-packet.ts`) directly on the process's connection and its shared
 * reply subscription, without the per-request Observable machinery of
 * ClientProxy. Handlers are ordinary NestJS `@MessagePattern`s. The request
 * id and trace context of the work in progress travel in the message headers
 * (`x-request-id`, `traceparent`).
 */
export class DirectNatsRequester implements Requester {
  /** @param isConnected whether the connection is up; while it is not, a request fails at once (BrokerUnavailable). */
  constructor(
    private readonly replies: ReplyMux,
    private readonly isConnected: () => boolean,
  ) {}

  async request(subject: string, data: unknown, timeoutMs: number, livenessMs?: number): Promise<unknown> {
    if (!this.isConnected()) throw new BrokerUnavailable(`connection lost: NATS is reconnecting, ${subject} not sent`);
    const headers = toNatsHeaders(outgoingHeaders());
    const msg = await this.replies.request(subject, encodeRequest(subject, data, randomUUID()), {
      timeoutMs,
      ...(livenessMs !== undefined ? { livenessMs } : {}),
      ...(headers ? { headers } : {}),
    });
    return answerOf(msg.data, subject);
  }
}

/** NATS message headers from a plain record (undefined when there is nothing to send). */
export function toNatsHeaders(record: Record<string, string> | undefined): MsgHdrs | undefined {
  if (record === undefined) return undefined;
  const h = natsHeaders();
  for (const [key, value] of Object.entries(record)) h.set(key, value);
  return h;
}
