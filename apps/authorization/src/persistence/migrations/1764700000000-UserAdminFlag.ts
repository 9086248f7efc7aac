import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Administrators of the grant administration page. */
export class UserAdminFlag1764700000000 implements MigrationInterface {
  name = 'UserAdminFlag1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE app_user ADD COLUMN admin boolean NOT NULL DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE app_user DROP COLUMN admin`);
  }
}
