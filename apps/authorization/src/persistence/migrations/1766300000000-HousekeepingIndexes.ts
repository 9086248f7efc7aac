import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Housekeeping (issue #20): the janitor deletes rotated refresh tokens past the reuse-detection horizon
 * (`used_at`) and throttle windows that ended (`window_started_at`) in batches picked through an index, never a
 * scan. Built CONCURRENTLY (outside a transaction), so refreshes and sign-ins go on while a large table is
 * indexed; an index a failed build left invalid is dropped and built again.
 */
export class HousekeepingIndexes1766300000000 implements MigrationInterface {
  name = 'HousekeepingIndexes1766300000000';
  transaction = false;

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS refresh_token_used_idx`);
    await q.query(`CREATE INDEX CONCURRENTLY refresh_token_used_idx ON refresh_token (used_at) WHERE used_at IS NOT NULL`);
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS login_throttle_window_idx`);
    await q.query(`CREATE INDEX CONCURRENTLY login_throttle_window_idx ON login_throttle (window_started_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS login_throttle_window_idx`);
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS refresh_token_used_idx`);
  }
}
