import { createInbox, type Msg, type MsgHdrs, type NatsConnection, type Subscription } from '@nats-io/transport-node';

/** No answer within the request's timeout. */
export class ReplyTimeout extends Error {
  override readonly name = 'TimeoutError';
}

/** The NATS server answered that nothing subscribes to the subject (status 503). */
export class NoResponders extends Error {
  override readonly name = 'NoRespondersError';
}

interface Pending {
  resolve: (msg: Msg) => void;
  reject: (err: Error) => void;
  deadline: number;
  subject: string;
}

/** How often requests past their deadline are failed: the precision of every timeout. */
const SWEEP_MS = 25;

/**
 * Request/reply on one wildcard reply subscription (`_INBOX.<nuid>.*`) with
 * a table of pending requests, for the hot paths (gateway → service,
 * service → JetStream).
 *
 * nats.js's own `request` does the same, plus, per request, a timer and an
 * Error object built when it is settled (its stack captured whether or not
 * it is ever thrown: about 5% of a service's CPU under load). Here a request
 * costs one table entry; one sweep every 25 ms fails those past their
 * deadline. A 503 status reply (no responders) rejects at once.
 */
export class ReplyMux {
  private readonly prefix = `${createInbox()}.`;
  private readonly pending = new Map<string, Pending>();
  private readonly subscription: Subscription;
  private sequence = 0;
  private sweeper?: NodeJS.Timeout;

  constructor(private readonly connection: NatsConnection) {
    this.subscription = connection.subscribe(`${this.prefix}*`, { callback: (err, msg) => (err ? this.failAll(err) : this.settle(msg)) });
  }

  /** Publishes `data` on `subject` and resolves with the first reply. */
  request(subject: string, data: Uint8Array | string, options: { timeoutMs: number; headers?: MsgHdrs }): Promise<Msg> {
    const token = (this.sequence++).toString(36);
    return new Promise<Msg>((resolve, reject) => {
      this.pending.set(token, { resolve, reject, deadline: Date.now() + options.timeoutMs, subject });
      this.sweeper ??= setInterval(() => this.sweep(), SWEEP_MS).unref();
      try {
        this.connection.publish(subject, data, { reply: this.prefix + token, ...(options.headers ? { headers: options.headers } : {}) });
      } catch (err: unknown) {
        this.pending.delete(token);
        reject(err as Error);
      }
    });
  }

  close(): void {
    this.subscription.unsubscribe();
    this.failAll(new Error('connection closed'));
  }

  private settle(msg: Msg): void {
    const token = msg.subject.slice(this.prefix.length);
    const waiting = this.pending.get(token);
    if (!waiting) return; // answered after its timeout, or a second reply
    this.pending.delete(token);
    if (msg.data.length === 0 && msg.headers?.code === 503) waiting.reject(new NoResponders(`no responders on ${waiting.subject}`));
    else waiting.resolve(msg);
  }

  private sweep(): void {
    const now = Date.now();
    for (const [token, waiting] of this.pending) {
      if (waiting.deadline > now) continue;
      this.pending.delete(token);
      waiting.reject(new ReplyTimeout(`no reply on ${waiting.subject} in time`));
    }
    if (this.pending.size === 0 && this.sweeper) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }

  private failAll(err: Error): void {
    for (const waiting of this.pending.values()) waiting.reject(err);
    this.pending.clear();
  }
}
