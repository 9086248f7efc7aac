import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Refresh grace (REFRESH_REUSE_GRACE_SECONDS): the sealed token response of a rotation, kept for the window. */
export class RefreshReuseGrace1765200000000 implements MigrationInterface {
  name = 'RefreshReuseGrace1765200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE refresh_token ADD COLUMN successor_sealed text NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE refresh_token DROP COLUMN successor_sealed`);
  }
}
