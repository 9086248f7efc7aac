import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Key rotation (issue #5): at most one `next` key per algorithm, as there is
 * at most one active one (1764060000000), and each state carries the date it
 * began, which the schedule reads (activated_at: rotation due; retired_at:
 * removal due).
 */
export class KeyLifecycle1764090000000 implements MigrationInterface {
  name = 'KeyLifecycle1764090000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE UNIQUE INDEX signing_key_one_next_idx ON signing_key (alg) WHERE state = 'next'`);
    await q.query(`UPDATE signing_key SET activated_at = created_at WHERE state IN ('active', 'retired') AND activated_at IS NULL`);
    await q.query(`UPDATE signing_key SET retired_at = now() WHERE state = 'retired' AND retired_at IS NULL`);
    await q.query(`
      ALTER TABLE signing_key ADD CONSTRAINT signing_key_state_dates_check CHECK (
        (state = 'next' AND activated_at IS NULL AND retired_at IS NULL)
        OR (state = 'active' AND activated_at IS NOT NULL AND retired_at IS NULL)
        OR (state = 'retired' AND activated_at IS NOT NULL AND retired_at IS NOT NULL)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE signing_key DROP CONSTRAINT signing_key_state_dates_check`);
    await q.query(`DROP INDEX signing_key_one_next_idx`);
  }
}
