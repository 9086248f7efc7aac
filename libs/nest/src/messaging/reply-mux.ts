import { createInbox, type Msg, type MsgHdrs, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { NoResponders, ReplyTimeout, RequesterClosed, ResponderLost } from './transport-errors.js';
import { WORKING_HEADER } from './working-heartbeat.js';

interface Pending {
  resolve: (msg: Msg) => void;
  reject: (err: Error) => void;
  deadline: number;
  subject: string;
  /** With a liveness window: failed with ResponderLost when neither answer nor "working" came for this long. */
  livenessMs?: number;
  aliveUntil?: number;
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
 *
 * A request sent with `livenessMs` also fails (`ResponderLost`) when its
 * responder goes silent for that long: our responders send an empty
 * `Smart-Working` message every 100 ms while they work on a request, so a
 * silence means the replica that took it is gone, and the caller hears it in
 * `livenessMs` instead of the whole timeout. Other responders (JetStream)
 * send no such message: requests to them go without a liveness window.
 */
export class ReplyMux {
  private readonly prefix = `${createInbox()}.`;
  private readonly pending = new Map<string, Pending>();
  private readonly subscription: Subscription;
  private sequence = 0;
  private sweeper?: NodeJS.Timeout;
  private lastSweep = Date.now();

  constructor(private readonly connection: NatsConnection) {
    this.subscription = connection.subscribe(`${this.prefix}*`, { callback: (err, msg) => (err ? this.failAll(err) : this.settle(msg)) });
  }

  /** Publishes `data` on `subject` and resolves with the first reply. */
  request(subject: string, data: Uint8Array | string, options: { timeoutMs: number; livenessMs?: number; headers?: MsgHdrs }): Promise<Msg> {
    const token = (this.sequence++).toString(36);
    return new Promise<Msg>((resolve, reject) => {
      const now = Date.now();
      const liveness = options.livenessMs !== undefined && options.livenessMs < options.timeoutMs ? { livenessMs: options.livenessMs, aliveUntil: now + options.livenessMs } : {};
      this.pending.set(token, { resolve, reject, deadline: now + options.timeoutMs, subject, ...liveness });
      if (!this.sweeper) {
        this.lastSweep = now;
        this.sweeper = setInterval(() => this.sweep(), SWEEP_MS).unref();
      }
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
    this.failAll(new RequesterClosed('connection closed before the answer came'));
  }

  private settle(msg: Msg): void {
    const token = msg.subject.slice(this.prefix.length);
    const waiting = this.pending.get(token);
    if (!waiting) return; // answered after its timeout, or a second reply
    if (msg.data.length === 0 && msg.headers?.has(WORKING_HEADER)) {
      // Not the answer: the responder is alive and at work.
      if (waiting.livenessMs !== undefined) waiting.aliveUntil = Date.now() + waiting.livenessMs;
      return;
    }
    this.pending.delete(token);
    if (msg.data.length === 0 && msg.headers?.code === 503) waiting.reject(new NoResponders(`no responders on ${waiting.subject}`));
    else waiting.resolve(msg);
  }

  private sweep(): void {
    const now = Date.now();
    // A sweep that comes late means this process's event loop stalled: the replies and "working" messages that
    // arrived meanwhile are still unread in the socket. The stall is credited to every liveness window, so a
    // busy caller does not take live responders for dead (the overall deadline still holds).
    const stall = now - this.lastSweep - SWEEP_MS;
    this.lastSweep = now;
    for (const [token, waiting] of this.pending) {
      if (stall > SWEEP_MS && waiting.aliveUntil !== undefined) waiting.aliveUntil += stall;
      if (waiting.deadline <= now) {
        this.pending.delete(token);
        waiting.reject(new ReplyTimeout(`no reply on ${waiting.subject} in time`));
      } else if (waiting.aliveUntil !== undefined && waiting.aliveUntil <= now) {
        this.pending.delete(token);
        waiting.reject(new ResponderLost(`the responder on ${waiting.subject} went silent for ${waiting.livenessMs} ms`));
      }
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
