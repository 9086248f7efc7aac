import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * At most one active key per algorithm, enforced by the database. A rotation
 * (issue #5) retires the old key before it activates the next one.
 */
export class OneActiveKeyPerAlg1764060000000 implements MigrationInterface {
  name = 'OneActiveKeyPerAlg1764060000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE UNIQUE INDEX signing_key_one_active_idx ON signing_key (alg) WHERE state = 'active'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX signing_key_one_active_idx`);
  }
}
