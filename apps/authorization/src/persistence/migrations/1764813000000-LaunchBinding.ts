import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Whom an EHR launch was made for, beside its context (never inside it: the
 * context goes into tokens): the user (id or username, fhirUser) and the
 * client that may use it; and, on the interaction that resolved the launch,
 * that binding and the EHR client that made it.
 */
export class LaunchBinding1764813000000 implements MigrationInterface {
  name = 'LaunchBinding1764813000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE launch_context ADD COLUMN bound_user varchar(128), ADD COLUMN bound_fhir_user varchar(256), ADD COLUMN bound_client_id varchar(128)`);
    await q.query(`ALTER TABLE interaction ADD COLUMN launch_binding jsonb, ADD COLUMN launched_by varchar(128)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE interaction DROP COLUMN launched_by, DROP COLUMN launch_binding`);
    await q.query(`ALTER TABLE launch_context DROP COLUMN bound_client_id, DROP COLUMN bound_fhir_user, DROP COLUMN bound_user`);
  }
}
