import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { AuditPage, AuditQuery, EventEnvelope } from '#contracts';

function text(value: unknown, max: number): string | null {
  return typeof value === 'string' ? value.slice(0, max) : null;
}

@Injectable()
export class AuditTrailStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Stores a batch in one statement; an event already stored (same id) is skipped, so redelivery is harmless. */
  async append(events: EventEnvelope[]): Promise<void> {
    if (events.length === 0) return;
    const values: unknown[] = [];
    const rows = events.map((e, i) => {
      const data = e.data as unknown as Record<string, unknown>;
      values.push(e.id, e.type, e.occurred_at, text(e.source, 64), text(e.request_id, 128), text(data.client_id, 128), text(data.sub, 256), JSON.stringify(e));
      const b = i * 8;
      return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}, $${b + 6}, $${b + 7}, $${b + 8}::jsonb)`;
    });
    await this.dataSource.query(
      `INSERT INTO audit_event (event_id, type, occurred_at, source, request_id, client_id, subject, data) VALUES ${rows.join(', ')} ON CONFLICT (event_id) DO NOTHING`,
      values,
    );
  }

  async find(query: AuditQuery): Promise<AuditPage> {
    const where: string[] = [];
    const values: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      values.push(value);
      where.push(sql.replace('?', `$${values.length}`));
    };
    if (query.ids?.length) add('event_id::text = ANY(?)', query.ids);
    if (query.type) add('type = ?', query.type);
    if (query.clientId) add('client_id = ?', query.clientId);
    if (query.afterSeq !== undefined) add('seq > ?', query.afterSeq);
    const limit = Math.min(Math.max(query.limit ?? 100, 1), 1000);
    values.push(limit + 1);
    const rows = (await this.dataSource.query(
      `SELECT seq, data, received_at FROM audit_event ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq LIMIT $${values.length}`,
      values,
    )) as Array<{ seq: string; data: EventEnvelope; received_at: Date }>;
    const page = rows.slice(0, limit).map((r) => ({ seq: Number(r.seq), event: r.data, received_at: new Date(r.received_at).toISOString() }));
    return { events: page, ...(rows.length > limit ? { nextAfterSeq: page[page.length - 1]!.seq } : {}) };
  }
}
