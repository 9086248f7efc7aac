import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The app directory (issue #16) asks for a client's latest events (its
 * detail) and its latest `token.issued` (when it was last used), newest
 * first: one index walk each instead of every event of the client.
 */
export class ClientEventsIndex1766000100000 implements MigrationInterface {
  name = 'ClientEventsIndex1766000100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX audit_event_client_type_seq_idx ON audit_event (client_id, type, seq DESC)`);
    await q.query(`CREATE INDEX audit_event_client_seq_idx ON audit_event (client_id, seq DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX audit_event_client_seq_idx`);
    await q.query(`DROP INDEX audit_event_client_type_seq_idx`);
  }
}
