import { Logger } from '@nestjs/common';
import { nanos } from '@nats-io/transport-node';
import { AckPolicy, DeliverPolicy, type JetStreamClient, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import { EVENT_STREAM, type EventEnvelope } from '#contracts';
import { MAX_DELIVER, type BatchHandler, type ConsumeOptions } from './event-bus.js';
import { afterFailure, redeliveryDelayMs } from './dead-letter-policy.js';
import type { DeadLetterStream } from './dead-letter-stream.js';
import { collectWithin, FETCH_WATCHDOG_MS } from './jetstream-fetch.js';
import { suiteMetrics } from '../observability/metrics.js';

const decoder = new TextDecoder();

/**
 * Most events a durable consumer takes in one fetch. Smaller batches spread
 * the consumer's work (and its database's) evenly instead of in bursts that
 * hold a core while requests wait: at 5,500 tokens/s on two cores, batches of
 * 500 gave p99 22-26 ms on the token path, batches of 100 19-20 ms, for the
 * same CPU; 50 cost more per event.
 */
const BATCH_SIZE = 100;

/** How long a delivered, unacknowledged event waits before JetStream delivers it again (a batch stores in milliseconds). */
const ACK_WAIT_MS = 10_000;

/**
 * An event is set aside for failing only while the handler is seen to work
 * for others: something was handled within this long. A handler that handles
 * nothing at all is taken to be down (an outage its `isTransient` did not
 * recognise), and its events wait rather than become dead letters.
 */
const HANDLER_PROVEN_MS = 60_000;

/**
 * Durable pull consumers of the event stream (the audit trail's reader):
 * explicit acknowledgements, batches handled together and, when a batch
 * fails, one by one; what cannot be handled goes to the dead letters.
 */
export class DurableConsumers {
  private readonly logger = new Logger('NatsEventBus');

  constructor(
    private readonly jsm: JetStreamManager,
    private readonly js: JetStreamClient,
    private readonly deadLetters: DeadLetterStream,
  ) {}

  async consume(durableName: string, filterSubject: string, handler: BatchHandler, options: ConsumeOptions = {}): Promise<() => Promise<void>> {
    const wanted = {
      durable_name: durableName,
      // Explicit: every stored message is acknowledged on its own. (With AckPolicy.All, acknowledging a later
      // message also acknowledged earlier ones that were delivered to a consumer that died before storing them.)
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      filter_subject: filterSubject,
      ack_wait: nanos(ACK_WAIT_MS),
      max_ack_pending: 10_000,
    };
    let existing: Awaited<ReturnType<typeof this.jsm.consumers.info>> | undefined;
    try {
      existing = await this.jsm.consumers.info(EVENT_STREAM, durableName);
    } catch {
      existing = undefined;
    }
    if (existing && existing.config.ack_policy !== AckPolicy.Explicit) {
      // The ack policy of a consumer cannot be changed: start it over. Consumers are idempotent on the event id.
      this.logger.warn(`consumer ${durableName}: recreated with explicit acknowledgements; stored events are read again and skipped`);
      await this.jsm.consumers.delete(EVENT_STREAM, durableName);
      existing = undefined;
    }
    if (!existing) await this.jsm.consumers.add(EVENT_STREAM, wanted);
    else if (existing.config.ack_wait !== wanted.ack_wait) await this.jsm.consumers.update(EVENT_STREAM, durableName, { ack_wait: wanted.ack_wait });
    const consumer = await this.js.consumers.get(EVENT_STREAM, durableName);
    const unwatch = suiteMetrics().watchConsumer(durableName, async () => {
      const info = await this.jsm.consumers.info(EVENT_STREAM, durableName);
      return info.num_pending + info.num_ack_pending;
    });
    let stopped = false;
    const progress = { lastHandledAt: 0 };
    const loop = async () => {
      while (!stopped) {
        try {
          const batch = await consumer.fetch({ max_messages: BATCH_SIZE, expires: 1000 });
          // A fetch can stall when the connection drops mid-batch: give up on it after a while; what it had
          // handed out is not acknowledged, so it is delivered again after ack_wait.
          const received = await collectWithin(batch, FETCH_WATCHDOG_MS);
          if (received.length === 0) continue;
          await this.handleBatch(durableName, received, handler, options, progress);
        } catch (err: unknown) {
          if (stopped) break;
          this.logger.warn(`consumer ${durableName}: ${(err as Error).message}`);
          await new Promise((r) => setTimeout(r, 1000));
        }
      }
    };
    const running = loop();
    return async () => {
      stopped = true;
      unwatch();
      await running;
    };
  }

  /**
   * One fetch (issue #14): a message that is not JSON, or that `problemOf`
   * refuses, becomes a dead letter at once; the rest go to the handler in one
   * batch. If that fails for the infrastructure, all are delivered again
   * later; otherwise each is handled on its own, so the good ones are stored
   * now and only the failing one waits for its next delivery (or, at its
   * last, becomes a dead letter).
   */
  private async handleBatch(durableName: string, received: JsMsg[], handler: BatchHandler, options: ConsumeOptions, progress: { lastHandledAt: number }): Promise<void> {
    const usable: Array<{ m: JsMsg; event: EventEnvelope }> = [];
    for (const m of received) {
      let value: unknown;
      try {
        value = JSON.parse(decoder.decode(m.data));
      } catch {
        await this.deadLetters.setAside(durableName, m, 'not_json', 'the message is not JSON');
        continue;
      }
      let problem: string | null;
      try {
        problem = options.problemOf?.(value) ?? null;
      } catch (err: unknown) {
        problem = `it could not be checked: ${(err as Error).message}`;
      }
      if (problem !== null) await this.deadLetters.setAside(durableName, m, 'invalid_envelope', problem);
      else usable.push({ m, event: value as EventEnvelope });
    }
    if (usable.length === 0) return;
    const transient = (err: unknown) => options.isTransient?.(err) === true;
    try {
      await handler(usable.map((u) => u.event));
      progress.lastHandledAt = Date.now();
      for (const { m } of usable.slice(0, -1)) m.ack();
      await usable[usable.length - 1]!.m.ackAck();
      return;
    } catch (err: unknown) {
      if (transient(err) || usable.length === 1) {
        await this.failed(durableName, usable, err, transient(err), progress);
        return;
      }
      this.logger.warn(`consumer ${durableName}: a batch of ${usable.length} failed (${(err as Error).message}); handling its events one by one`);
    }
    for (let i = 0; i < usable.length; i++) {
      const one = usable[i]!;
      try {
        await handler([one.event]);
        progress.lastHandledAt = Date.now();
        await one.m.ackAck();
      } catch (err: unknown) {
        if (transient(err)) {
          await this.failed(durableName, usable.slice(i), err, true, progress);
          return;
        }
        await this.failed(durableName, [one], err, false, progress);
      }
    }
  }

  /** Applies the dead-letter rule to events whose handling failed (dead-letter-policy.ts). */
  private async failed(durableName: string, events: Array<{ m: JsMsg }>, err: unknown, transient: boolean, progress: { lastHandledAt: number }): Promise<void> {
    const reason = (err as Error)?.message ?? String(err);
    if (!transient && Date.now() - progress.lastHandledAt > HANDLER_PROVEN_MS) {
      // Nothing handled for a while: the handler rather than these events may be what fails. They wait.
      for (const { m } of events) m.nak(redeliveryDelayMs(m.info.deliveryCount));
      this.logger.warn(`consumer ${durableName}: ${events.length} event(s) failed while nothing was handled for ${HANDLER_PROVEN_MS / 1000} s; delivered again, not set aside: ${reason}`);
      await new Promise((r) => setTimeout(r, 500));
      return;
    }
    if (transient) {
      this.logger.warn(`consumer ${durableName}: ${events.length} event(s) will be delivered again: ${reason}`);
      for (const { m } of events) m.nak(1000);
      await new Promise((r) => setTimeout(r, 500));
      return;
    }
    for (const { m } of events) {
      const decision = afterFailure(m.info.deliveryCount, MAX_DELIVER, false);
      if (decision.action === 'dead_letter') await this.deadLetters.setAside(durableName, m, decision.kind, reason);
      else {
        if (m.info.deliveryCount === 1) this.logger.warn(`consumer ${durableName}: stream sequence ${m.seq} failed, delivered again (at most ${MAX_DELIVER} times): ${reason}`);
        m.nak(decision.delayMs);
      }
    }
  }
}
