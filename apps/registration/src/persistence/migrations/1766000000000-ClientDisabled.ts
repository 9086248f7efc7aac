import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The app directory (issue #16): an administrator may disable a client. A
 * disabled client is refused at /token and /authorize and its tokens
 * introspect inactive, but its row, approval state and grants stay, so
 * enabling it again brings everything back. `disabled_at` is null while it is
 * enabled. The index serves the directory's status filter.
 */
export class ClientDisabled1766000000000 implements MigrationInterface {
  name = 'ClientDisabled1766000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE client ADD COLUMN disabled_at timestamptz NULL`);
    await q.query(`CREATE INDEX client_disabled_idx ON client (created_at, client_id) WHERE disabled_at IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX client_disabled_idx`);
    await q.query(`ALTER TABLE client DROP COLUMN disabled_at`);
  }
}
