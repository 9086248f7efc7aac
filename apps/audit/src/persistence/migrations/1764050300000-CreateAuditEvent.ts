import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateAuditEvent1764050300000 implements MigrationInterface {
  name = 'CreateAuditEvent1764050300000';

  async up(q: QueryRunner): Promise<void> {
    // Append-only enforcement and the hash chain over rows came later (ChainAuditTrail1764500000000).
    await q.query(`
      CREATE TABLE audit_event (
        seq bigserial PRIMARY KEY,
        event_id uuid NOT NULL UNIQUE,
        type varchar(64) NOT NULL,
        occurred_at timestamptz NOT NULL,
        source varchar(64) NOT NULL,
        request_id varchar(128) NULL,
        client_id varchar(128) NULL,
        subject varchar(256) NULL,
        data jsonb NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX audit_event_type_idx ON audit_event (type)`);
    await q.query(`CREATE INDEX audit_event_client_idx ON audit_event (client_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_event`);
  }
}
