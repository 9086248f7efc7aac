import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { EventEnvelope } from '#contracts';
import { ClientIdColumn, TimestampColumn } from '#nest';

@Entity({ name: 'audit_event' })
export class AuditEventEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  seq: string;

  @Column({ type: 'uuid', unique: true })
  eventId: string;

  @Column({ type: 'varchar', length: 64 })
  type: string;

  @TimestampColumn()
  occurredAt: Date;

  @Column({ type: 'varchar', length: 64 })
  source: string;

  @Column({ type: 'varchar', length: 128, nullable: true })
  requestId: string | null;

  @ClientIdColumn({ nullable: true })
  clientId: string | null;

  @Column({ type: 'varchar', length: 256, nullable: true })
  subject: string | null;

  @Column({ type: 'jsonb' })
  data: EventEnvelope;

  @TimestampColumn({ defaultNow: true })
  receivedAt: Date;
}
