import { Logger, type FactoryProvider, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { EventData, EventEnvelope, EventType } from '#contracts';
import { EventBus, type PublishMeta } from '../messaging/event-bus.js';
import type { ExpiringRows } from '../housekeeping/expiring-rows.js';
import { suiteMetrics } from '../observability/metrics.js';
import { PublishedMarks } from './published-marks.js';

export interface OutboxOptions {
  /** How often pending events are retried (ms). */
  relayEveryMs?: number;
  /** Events relayed per round. */
  batchSize?: number;
}

interface PendingRow {
  id: string;
  envelope: EventEnvelope | string;
}

/** `<service>_outbox`: the service's own table (services may share a database). */
export function outboxTable(service: string): string {
  if (!/^[a-z][a-z0-9_]{0,40}$/.test(service)) throw new Error(`bad service name for an outbox table: ${service}`);
  return `${service}_outbox`;
}

/**
 * Transactional outbox (issue #5): an event is written in the same database
 * transaction as the change it describes, then published to JetStream with
 * its id as `Nats-Msg-Id`. What cannot be published now (NATS down) waits in
 * the table and is relayed when the broker answers again, in the order it
 * was written. Several replicas may relay the same row: JetStream
 * de-duplicates on the message id and consumers are idempotent on it.
 */
export class Outbox implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger: Logger;
  private readonly table: string;
  private timer?: NodeJS.Timeout;
  private unwatch: () => void = () => undefined;
  private relaying?: Promise<number>;
  private readonly relayEveryMs: number;
  private readonly batchSize: number;
  private readonly marks: PublishedMarks;

  constructor(
    private readonly dataSource: DataSource,
    private readonly events: EventBus,
    private readonly service: string,
    options: OutboxOptions = {},
  ) {
    this.table = outboxTable(service);
    this.logger = new Logger(`Outbox(${service})`);
    this.relayEveryMs = options.relayEveryMs ?? 1000;
    this.batchSize = options.batchSize ?? 200;
    this.marks = new PublishedMarks((ids) => this.dataSource.query(`UPDATE ${this.table} SET published_at = now() WHERE id = ANY($1::uuid[])`, [ids]));
  }

  /** Writes an event with `manager` (inside the caller's transaction); publish it after the commit. */
  async add<T extends EventType>(manager: EntityManager, type: T, data: EventData[T], meta: Omit<PublishMeta, 'source'> = {}): Promise<EventEnvelope<T>> {
    const envelope = EventBus.envelope(type, data, { source: this.service, requestId: meta.requestId });
    await manager.query(`INSERT INTO ${this.table} (id, type, envelope, created_at) VALUES ($1, $2, $3, now())`, [envelope.id, type, JSON.stringify(envelope)]);
    return envelope;
  }

  /** Writes one event on its own (a fact with no other change in the same transaction). */
  record<T extends EventType>(type: T, data: EventData[T], meta: Omit<PublishMeta, 'source'> = {}): Promise<EventEnvelope<T>> {
    return this.add(this.dataSource.manager, type, data, meta);
  }

  /**
   * Publishes committed events now, in order, and marks them sent (together
   * with other callers' events, in one statement: {@link PublishedMarks}).
   * Throws when the broker does not take one; it and the rest stay pending
   * for the relay (those published before it are marked).
   */
  async publish(envelopes: readonly EventEnvelope[]): Promise<void> {
    const { failure } = await this.publishInOrder(envelopes);
    if (failure) throw failure.error;
  }

  /** Publishes until one fails, then marks the ones that went out; returns how many did and the failure. */
  private async publishInOrder(envelopes: readonly EventEnvelope[]): Promise<{ sent: number; failure?: { error: unknown } }> {
    const sent: string[] = [];
    let failure: { error: unknown } | undefined;
    for (const envelope of envelopes) {
      try {
        await this.events.publishEnvelope(envelope);
      } catch (error: unknown) {
        failure = { error };
        break;
      }
      sent.push(envelope.id);
    }
    await this.marks.add(sent);
    return { sent: sent.length, ...(failure ? { failure } : {}) };
  }

  /** Publishes without making the caller wait or fail: the relay retries what does not go out. */
  publishSoon(envelopes: readonly EventEnvelope[]): void {
    this.publish(envelopes).catch((err: unknown) => this.logger.warn(`events left for the relay: ${(err as Error).message}`));
  }

  /** One relay round: pending events, oldest first, until one fails. Returns how many went out. */
  relay(): Promise<number> {
    this.relaying ??= this.relayRound().finally(() => {
      this.relaying = undefined;
    });
    return this.relaying;
  }

  private async relayRound(): Promise<number> {
    const rows: PendingRow[] = await this.dataSource.query(
      `SELECT id, envelope FROM ${this.table} WHERE published_at IS NULL ORDER BY created_at, id LIMIT $1`,
      [this.batchSize],
    );
    const envelopes = rows.map((row) => (typeof row.envelope === 'string' ? JSON.parse(row.envelope) : row.envelope) as EventEnvelope);
    const { sent, failure } = await this.publishInOrder(envelopes);
    if (failure) this.logger.warn(`${rows.length - sent} event(s) wait for the broker: ${(failure.error as Error).message}`);
    return sent;
  }

  /**
   * Pending events of `type` whose `data[field]` is `value`, oldest first: what
   * a retried call re-publishes (same id, so JetStream drops a copy) instead of
   * writing the fact again.
   */
  async pendingFor<T extends EventType>(type: T, field: keyof EventData[T] & string, value: string): Promise<Array<EventEnvelope<T>>> {
    const rows: PendingRow[] = await this.dataSource.query(
      `SELECT id, envelope FROM ${this.table} WHERE published_at IS NULL AND type = $1 AND envelope->'data'->>$2 = $3 ORDER BY created_at, id`,
      [type, field, value],
    );
    return rows.map((row) => (typeof row.envelope === 'string' ? JSON.parse(row.envelope) : row.envelope) as EventEnvelope<T>);
  }

  /**
   * Published rows, kept a day for inspection, then the service's janitor's
   * to delete (in batches, one replica at a time; `<table>_published_idx`).
   * A row not yet published never goes.
   */
  expiredRows(): ExpiringRows {
    return { table: this.table, key: 'id', pastHorizon: `published_at < now() - interval '1 day'` };
  }

  /** Events not yet published (health, tests). */
  async pending(): Promise<number> {
    const rows: Array<{ n: string | number }> = await this.dataSource.query(`SELECT count(*) AS n FROM ${this.table} WHERE published_at IS NULL`);
    return Number(rows[0]?.n ?? 0);
  }

  onApplicationBootstrap(): void {
    // outbox_backlog_events: counted at each scrape.
    this.unwatch = suiteMetrics().watchOutbox(this.service, () => this.pending());
    this.timer = setInterval(() => {
      this.relay().catch((err: unknown) => this.logger.warn(`relay failed: ${(err as Error).message}`));
    }, this.relayEveryMs);
    this.timer.unref();
  }

  /** Stops the relay; a round under way finishes first (what it cannot publish stays pending). */
  async onModuleDestroy(): Promise<void> {
    this.unwatch();
    if (this.timer) clearInterval(this.timer);
    await this.relaying?.catch(() => undefined);
  }
}

/** The {@link Outbox} of `service` (its table `<service>_outbox`), for the service module's providers. */
export function outboxProvider(service: string): FactoryProvider<Outbox> {
  return { provide: Outbox, inject: [getDataSourceToken(), EventBus], useFactory: (ds: DataSource, events: EventBus) => new Outbox(ds, events, service) };
}
