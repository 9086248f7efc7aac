import { BaseRpcContext } from '@nestjs/microservices';
import { outgoingHeaders } from '../observability/message-propagation.js';
import type { InProcessRouter } from './in-process.transport.js';
import type { Requester } from './requester.js';
import { NoResponders, ReplyTimeout } from './transport-errors.js';

/** A JSON round trip: nothing the caller and the handler exchange shares object identity, as over NATS. */
function copied(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

/**
 * The embedded development mode's requester: calls the handler registered
 * in this process (InProcessRouter, round-robin as a queue group), with the
 * request id and trace context as headers. A subject nobody handles fails
 * with NoResponders, an answer later than `timeoutMs` with ReplyTimeout; a
 * handler in this process cannot vanish, so there is no liveness window.
 */
export class InProcessRequester implements Requester {
  constructor(private readonly router: InProcessRouter) {}

  request(subject: string, data: unknown, timeoutMs: number): Promise<unknown> {
    const handler = this.router.resolve(subject);
    if (!handler) return Promise.reject(new NoResponders(`no handler for ${subject} in this process`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new ReplyTimeout(`no answer on ${subject} in time`)), timeoutMs);
      handler(copied(data), new BaseRpcContext([subject]), outgoingHeaders()).then(
        (response) => {
          clearTimeout(timer);
          resolve(copied(response));
        },
        (err: unknown) => {
          clearTimeout(timer);
          reject(err);
        },
      );
    });
  }
}
