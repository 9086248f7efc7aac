import { NatsContext, Server, Transport, type CustomTransportStrategy, type MessageHandler, type WritePacket } from '@nestjs/microservices';
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { isObservable, type Observable } from 'rxjs';
import { handleInbound } from '../observability/message-propagation.js';
import { decodeRequest, encodeAnswer, encodeReply } from './rpc-packet.js';
import { WorkingHeartbeat } from './working-heartbeat.js';

/**
 * Replies with what an Observable answer emits (the exception filter's error
 * envelope, or a streaming handler), in the packets NestJS's `Server#send`
 * makes of it: every value but the last as `{response}`, the last one, or an
 * error as `{err}`, or nothing, marked `isDisposed`. Settles when the stream
 * does.
 */
function replyFromStream(answer: Observable<unknown>, reply: (packet: WritePacket) => void): Promise<void> {
  return new Promise((settled) => {
    let held: WritePacket | undefined;
    answer.subscribe({
      next: (response) => {
        if (held) reply(held);
        held = { response };
      },
      error: (err: unknown) => {
        if (held) reply(held);
        reply({ err, isDisposed: true });
        settled();
      },
      complete: () => {
        reply(held ? Object.assign(held, { isDisposed: true }) : { isDisposed: true });
        settled();
      },
    });
  });
}

/**
 * The services' NestJS transport on NATS, a CustomTransportStrategy over
 * Nest's public Server API, bound to the process's one NATS connection.
 * Sharing the connection with the event bus keeps the order in which the
 * NATS server delivers messages to this process: a revocation broadcast
 * published before a later introspection request is processed first.
 *
 * Each pattern Nest registered is subscribed in the service's queue group
 * (a handler's `extras.queue` overrides it, as in NestJS's ServerNats), so
 * replicas share the load. A message is decoded as NestJS's ServerNats does
 * (`rpc-packet.ts`) and handed to the handler Nest built, so pipes, guards,
 * interceptors and the exception filter still run, under the request id and
 * trace context its headers carry. A request is answered once, in NestJS's
 * wire format; while it is handled its caller hears `Smart-Working` every
 * 100 ms (WorkingHeartbeat). A message without an `id` is an event, handed
 * to Nest's `handleEvent`.
 *
 * A handler answering a value or a promise (every handler of this suite) is
 * answered without an Observable, `process.nextTick` queue or record
 * builder per message, as NestJS's own path sets up (4–12% of the token
 * service's CPU under load, in an A/B of two replicas). An Observable answer
 * is subscribed to with public RxJS.
 */
export class SharedNatsServer extends Server implements CustomTransportStrategy {
  override transportId = Transport.NATS;
  private subscriptions: Subscription[] = [];
  /** Requests and events being handled now: a graceful stop waits for them. */
  private inFlight = 0;
  private idle?: () => void;
  private readonly heartbeat = new WorkingHeartbeat();

  constructor(
    private readonly connection: NatsConnection,
    private readonly queue: string,
  ) {
    super();
  }

  listen(callback: (...optionalParams: unknown[]) => void): void {
    for (const [channel, handler] of this.getHandlers()) {
      const queue = typeof handler.extras?.queue === 'string' ? handler.extras.queue : this.queue;
      const subscription = this.connection.subscribe(channel, {
        queue,
        callback: (err, msg) => (err ? this.logger.error(err) : void this.receive(channel, handler, msg)),
      });
      this.subscriptions.push(subscription);
    }
    callback();
  }

  /** Handles one message under the request id and trace context its headers carry; never rejects. */
  private async receive(channel: string, handler: MessageHandler, msg: Msg): Promise<void> {
    // Counted until answered: a graceful stop waits for the requests already taken.
    this.inFlight++;
    if (msg.reply) this.heartbeat.begin(msg);
    try {
      const headers = msg.headers;
      if (!headers) await this.dispatch(channel, handler, msg);
      else await handleInbound(channel, (key) => headers.get(key) || undefined, () => this.dispatch(channel, handler, msg));
    } catch (err: unknown) {
      // Not JSON, a handler Nest could not run, a reply that could not be sent: logged as NestJS's ServerNats does.
      this.logger.error(err);
    } finally {
      this.heartbeat.end(msg);
      if (--this.inFlight === 0) this.idle?.();
    }
  }

  private async dispatch(channel: string, handler: MessageHandler, msg: Msg): Promise<void> {
    const packet = decodeRequest(msg.data, channel);
    const context = new NatsContext([msg.subject, msg.headers]);
    if (packet.id === undefined) {
      await this.handleEvent(channel, packet, context);
      return;
    }
    // A request without a reply subject runs all the same; its answer goes nowhere (`respond` sends nothing).
    const answer: unknown = await handler(packet.data, context);
    if (isObservable(answer)) await replyFromStream(answer, (reply) => msg.respond(encodeReply(reply, packet.id)));
    else msg.respond(encodeAnswer(answer, packet.id));
  }

  /**
   * Graceful stop: drains this server's subscriptions (the NATS server stops
   * routing requests here, so the queue group's other replicas take them),
   * then waits for the requests already taken to be answered. The shared
   * connection stays open for its owner to drain and close afterwards, so
   * those answers, and what their handlers publish, still go out.
   */
  async close(): Promise<void> {
    const subscriptions = this.subscriptions;
    this.subscriptions = [];
    await Promise.all(subscriptions.map((sub) => sub.drain().catch(() => undefined)));
    if (this.inFlight > 0) await new Promise<void>((resolve) => (this.idle = resolve));
  }

  /** The connection's events belong to its owner: `EventBus.onConnectionChange` reports them (`lost`, `resumed`). */
  on(): never {
    throw new Error('SharedNatsServer has no connection events: listen to EventBus.onConnectionChange');
  }

  unwrap<T>(): T {
    return this.connection as T;
  }
}
