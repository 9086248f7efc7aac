import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Hash chain and append-only trail (issue #5): each row keeps the hash of the
 * row before it and its own; UPDATE, DELETE and TRUNCATE are refused by
 * triggers. Rows stored before this migration keep NULL hashes: the chain
 * starts after them. `user_id` and `patient` are lifted out of the event for
 * the admin filters.
 */
export class ChainAuditTrail1764500000000 implements MigrationInterface {
  name = 'ChainAuditTrail1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit_event ADD COLUMN prev_hash char(64), ADD COLUMN row_hash char(64), ADD COLUMN user_id varchar(256), ADD COLUMN patient varchar(128)`);
    await q.query(`UPDATE audit_event SET user_id = coalesce(data->'data'->>'user_id', data->'data'->>'sub'), patient = data->'data'->>'patient'`);
    await q.query(`CREATE INDEX audit_event_user_idx ON audit_event (user_id)`);
    await q.query(`CREATE INDEX audit_event_patient_idx ON audit_event (patient)`);
    await q.query(`CREATE INDEX audit_event_occurred_idx ON audit_event (occurred_at)`);
    await q.query(`
      CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_event is append-only (% refused)', TG_OP;
      END $$`);
    await q.query(`CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()`);
    await q.query(`CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER audit_event_no_truncate ON audit_event`);
    await q.query(`DROP TRIGGER audit_event_no_change ON audit_event`);
    await q.query(`DROP FUNCTION audit_event_append_only()`);
    await q.query(`DROP INDEX audit_event_occurred_idx`);
    await q.query(`DROP INDEX audit_event_patient_idx`);
    await q.query(`DROP INDEX audit_event_user_idx`);
    await q.query(`ALTER TABLE audit_event DROP COLUMN prev_hash, DROP COLUMN row_hash, DROP COLUMN user_id, DROP COLUMN patient`);
  }
}
