import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Records which configuration owns a managed client (`admin` for the
 * bootstrap administrator, `clients-file` for clients declared in
 * CLIENTS_FILE), so that pruning the clients file can only ever delete
 * clients it declared. Existing managed rows are the administrator's.
 */
export class ClientManagedBy1764810000000 implements MigrationInterface {
  name = 'ClientManagedBy1764810000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE client ADD COLUMN managed_by varchar(32) NULL`);
    await q.query(`UPDATE client SET managed_by = 'admin' WHERE managed`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE client DROP COLUMN managed_by`);
  }
}
