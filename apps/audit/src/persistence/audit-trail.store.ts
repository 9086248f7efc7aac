import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { AuditPage, EventEnvelope } from '#contracts';
import type { ParsedAuditQuery } from '../trail/audit-query.js';
import { occurredAtUtc } from '../trail/envelope-check.js';

/** A string member of an event, cut to its column's width (the whole envelope is kept in `data`). */
function column(value: unknown, width: number): string | null {
  return typeof value === 'string' ? value.slice(0, width) : null;
}

/**
 * One multi-row insert whatever the batch size: each column travels as one
 * array parameter. `ON CONFLICT (event_id) DO NOTHING` makes redelivery
 * harmless (JetStream delivers at least once).
 */
const APPEND = `
  INSERT INTO audit_event (event_id, type, occurred_at, source, request_id, client_id, subject, data)
  SELECT * FROM unnest($1::uuid[], $2::varchar[], $3::timestamptz[], $4::varchar[], $5::varchar[], $6::varchar[], $7::varchar[], $8::jsonb[])
  ON CONFLICT (event_id) DO NOTHING`;

/**
 * The audit trail (`audit_event`).
 * TODO(#5): append-only enforcement and a hash chain over the rows.
 */
@Injectable()
export class AuditTrailStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Stores a batch of well-formed envelopes in one statement; an event already stored (same id) is skipped. */
  async append(events: readonly EventEnvelope[]): Promise<void> {
    const unique = [...new Map(events.map((e) => [e.id.toLowerCase(), e])).values()];
    if (unique.length === 0) return;
    const columns: Array<Array<string | null>> = [[], [], [], [], [], [], [], []];
    for (const e of unique) {
      const data = e.data as unknown as Record<string, unknown>;
      const row = [e.id, e.type, occurredAtUtc(e.occurred_at), column(e.source, 64), column(e.request_id, 128), column(data.client_id, 128), column(data.sub, 256), JSON.stringify(e)];
      row.forEach((value, i) => columns[i]!.push(value));
    }
    await this.dataSource.query(APPEND, columns);
  }

  async find(query: ParsedAuditQuery): Promise<AuditPage> {
    const where: string[] = [];
    const values: unknown[] = [];
    const filter = (sql: (placeholder: string) => string, value: unknown) => {
      values.push(value);
      where.push(sql(`$${values.length}`));
    };
    if (query.ids) filter((p) => `event_id = ANY(${p}::uuid[])`, query.ids);
    if (query.type) filter((p) => `type = ${p}`, query.type);
    if (query.clientId) filter((p) => `client_id = ${p}`, query.clientId);
    if (query.afterSeq !== undefined) filter((p) => `seq > ${p}`, query.afterSeq);
    values.push(query.limit + 1); // one more than asked: tells whether there is a next page
    const rows = (await this.dataSource.query(
      `SELECT seq, data, received_at FROM audit_event ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq LIMIT $${values.length}`,
      values,
    )) as Array<{ seq: string; data: EventEnvelope; received_at: Date }>;
    const events = rows.slice(0, query.limit).map((r) => ({ seq: Number(r.seq), event: r.data, received_at: new Date(r.received_at).toISOString() }));
    return rows.length > query.limit ? { events, nextAfterSeq: events[events.length - 1]!.seq } : { events };
  }
}
