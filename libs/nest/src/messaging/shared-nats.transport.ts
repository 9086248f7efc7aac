import { ServerNats } from '@nestjs/microservices';
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { handleInbound } from '../observability/message-propagation.js';

/**
 * NestJS's NATS transport, bound to the process's one NATS connection.
 * Sharing the connection with the event bus keeps the order in which the
 * NATS server delivers messages to this process: a revocation broadcast
 * published before a later introspection request is processed first.
 */
export class SharedNatsServer extends ServerNats {
  /** Requests being handled now: a graceful stop waits for them. */
  private inFlight = 0;
  private idle?: () => void;

  constructor(private readonly connection: NatsConnection, queue: string) {
    super({ queue });
  }

  override async createNatsClient(): Promise<NatsConnection> {
    return this.connection;
  }

  /**
   * Our subjects are plain strings (`smart.token.v1.issue`), never JSON
   * patterns: skip Nest's JSON.parse attempt, whose thrown error on every
   * message cost a few percent of each service's CPU.
   */
  protected override getRouteFromPattern(pattern: string): string {
    return pattern.startsWith('{') ? super.getRouteFromPattern(pattern) : pattern;
  }

  /** Each message is handled under the request id and trace context its headers carry. */
  override async handleMessage(channel: string, natsMsg: Msg): Promise<unknown> {
    // Counted until answered: a graceful stop waits for the requests already taken.
    this.inFlight++;
    try {
      const headers = natsMsg.headers;
      if (!headers) return await super.handleMessage(channel, natsMsg);
      return await handleInbound(channel, (key) => headers.get(key) || undefined, () => super.handleMessage(channel, natsMsg));
    } finally {
      if (--this.inFlight === 0) this.idle?.();
    }
  }

  /**
   * Graceful stop: drains this server's subscriptions (the NATS server stops
   * routing requests here, so the queue group's other replicas take them),
   * then waits for the requests already taken to be answered. The shared
   * connection stays open for its owner to drain and close afterwards, so
   * those answers, and what their handlers publish, still go out.
   */
  override async close(): Promise<void> {
    // ServerNats keeps its subscriptions private; drain them without closing the connection.
    const own = this as unknown as { subscriptions: Subscription[] };
    await Promise.all(own.subscriptions.map((sub) => sub.drain().catch(() => undefined)));
    own.subscriptions = [];
    if (this.inFlight > 0) await new Promise<void>((resolve) => (this.idle = resolve));
    // Nest sends a handler's answer on the next tick after it resolved.
    await new Promise((resolve) => setImmediate(resolve));
  }
}
