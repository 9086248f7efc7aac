import { NatsContext, ServerNats } from '@nestjs/microservices';
import { headers as natsHeaders, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { isObservable } from 'rxjs';
import { handleInbound } from '../observability/message-propagation.js';
import { WORKING_EVERY_MS, WORKING_HEADER } from './reply-mux.js';

const EMPTY = new Uint8Array(0);

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** NestJS's NATS request packet (`{pattern, data, id}`); an event has no `id`. */
interface RequestPacket {
  id: string;
  pattern?: unknown;
  data?: unknown;
}

function requestPacketOf(natsMsg: Msg): RequestPacket | undefined {
  if (!natsMsg.reply) return undefined;
  try {
    const packet = JSON.parse(decoder.decode(natsMsg.data)) as Partial<RequestPacket> | null;
    // Like Nest's deserializer: a message with neither `pattern` nor `data` is someone else's format, not a request.
    const ours = typeof packet === 'object' && packet !== null && (packet.pattern !== undefined || packet.data !== undefined);
    return ours && typeof packet.id === 'string' ? (packet as RequestPacket) : undefined;
  } catch {
    return undefined;
  }
}

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
  /** Requests being handled now, with when they arrived: those older than WORKING_EVERY_MS hear "working". */
  private readonly working = new Map<Msg, number>();
  private workingTimer?: NodeJS.Timeout;
  private readonly workingHeaders = (() => {
    const h = natsHeaders();
    h.set(WORKING_HEADER, '1');
    return h;
  })();

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
    if (natsMsg.reply) this.startWorking(natsMsg);
    try {
      const headers = natsMsg.headers;
      if (!headers) return await this.dispatch(channel, natsMsg);
      return await handleInbound(channel, (key) => headers.get(key) || undefined, () => this.dispatch(channel, natsMsg));
    } finally {
      this.working.delete(natsMsg);
      if (--this.inFlight === 0) this.idle?.();
    }
  }

  /**
   * Fast failover (issue #14): while a request is being handled, its caller
   * hears an empty `Smart-Working` message on the reply subject every
   * WORKING_EVERY_MS, from WORKING_EVERY_MS after it arrived (a request
   * answered sooner, nearly all of them, costs no message). A caller that
   * hears neither this nor the answer knows the replica that took its
   * request is gone (ReplyMux's liveness window) without waiting for its
   * whole timeout. One timer for all requests in flight, stopped when none is.
   */
  private startWorking(natsMsg: Msg): void {
    this.working.set(natsMsg, Date.now());
    this.workingTimer ??= setInterval(() => {
      if (this.working.size === 0) {
        clearInterval(this.workingTimer);
        this.workingTimer = undefined;
        return;
      }
      const due = Date.now() - WORKING_EVERY_MS;
      for (const [msg, arrived] of this.working) if (arrived <= due) msg.respond(EMPTY, { headers: this.workingHeaders });
    }, WORKING_EVERY_MS).unref();
  }

  /**
   * A request whose handler answers with a value (every handler of this
   * suite) is answered here, in NestJS's wire format
   * (`{id, response | err, isDisposed}`), once: the same reply Nest's
   * ServerNats sends, without the Observable pipeline, `process.nextTick`
   * queue and record builder it sets up for every message (4–12% of the
   * token service's CPU under load, in an A/B of two replicas). The handler is the one Nest built,
   * so guards, pipes and the exception filter still run; an Observable
   * answer, an event, a message without a handler or one Nest cannot parse
   * take Nest's own path.
   */
  private async dispatch(channel: string, natsMsg: Msg): Promise<unknown> {
    const packet = requestPacketOf(natsMsg);
    const handler = packet ? this.getHandlerByPattern(channel) : null;
    if (!packet || !handler) return super.handleMessage(channel, natsMsg);
    const context = new NatsContext([natsMsg.subject, natsMsg.headers]);
    const answer: unknown = await handler(packet.data, context);
    if (isObservable(answer)) {
      // The exception filter's answer (an error envelope), or a streaming handler: Nest replies as it would have.
      return this.send(answer, this.getPublisher(natsMsg, packet.id, context));
    }
    natsMsg.respond(encoder.encode(JSON.stringify({ response: answer, isDisposed: true, id: packet.id })));
    return undefined;
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
