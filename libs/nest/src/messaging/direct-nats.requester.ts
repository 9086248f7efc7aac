import { randomUUID } from 'node:crypto';
import { headers as natsHeaders, type MsgHdrs } from '@nats-io/transport-node';
import { outgoingHeaders } from '../observability/message-propagation.js';
import type { ReplyMux } from './reply-mux.js';

const encoder = new TextEncoder();

/** This process has no NATS connection now (it is reconnecting): the request was not sent. */
export class BrokerUnavailable extends Error {
  override readonly name = 'BrokerUnavailableError';
}
const decoder = new TextDecoder();

/**
 * The hot-path request client: speaks NestJS's NATS wire format
 * (`{pattern, data, id}` → `{id, response | err, isDisposed}`) directly on
 * the process's connection and its shared reply subscription, without the
 * per-request Observable machinery of ClientProxy. Handlers are ordinary
 * NestJS `@MessagePattern`s. The request id and trace context of the work
 * in progress travel in the message headers (`x-request-id`, `traceparent`).
 */
export class DirectNatsRequester {
  /** @param isConnected whether the connection is up; while it is not, a request fails at once ("connection lost"). */
  constructor(
    private readonly replies: ReplyMux,
    private readonly isConnected: () => boolean,
  ) {}

  async connect(): Promise<void> {}

  async close(): Promise<void> {}

  /** @param livenessMs fail with ResponderLost when the responder neither answers nor says it works for this long. */
  async request(subject: string, data: unknown, timeoutMs: number, livenessMs?: number): Promise<unknown> {
    if (!this.isConnected()) throw new BrokerUnavailable(`connection lost: NATS is reconnecting, ${subject} not sent`);
    const headers = toNatsHeaders(outgoingHeaders());
    const msg = await this.replies.request(subject, encoder.encode(JSON.stringify({ pattern: subject, data, id: randomUUID() })), {
      timeoutMs,
      ...(livenessMs !== undefined ? { livenessMs } : {}),
      ...(headers ? { headers } : {}),
    });
    if (msg.data.length === 0) throw new Error(`empty response on ${subject}`);
    const reply = JSON.parse(decoder.decode(msg.data)) as { err?: unknown; response?: unknown };
    if (reply.err !== undefined && reply.err !== null) throw reply.err;
    return reply.response;
  }
}

/** NATS message headers from a plain record (undefined when there is nothing to send). */
export function toNatsHeaders(record: Record<string, string> | undefined): MsgHdrs | undefined {
  if (record === undefined) return undefined;
  const h = natsHeaders();
  for (const [key, value] of Object.entries(record)) h.set(key, value);
  return h;
}
