import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * DPoP (RFC 9449, issue #18): the key a code (`dpop_jkt`, §10) and a public client's refresh token (§5) are
 * bound to. Nullable columns, so replicas of the previous release keep working (their rows are unbound).
 */
export class DpopBinding1766200000000 implements MigrationInterface {
  name = 'DpopBinding1766200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE authorization_code ADD COLUMN IF NOT EXISTS dpop_jkt varchar(64)`);
    await q.query(`ALTER TABLE refresh_token ADD COLUMN IF NOT EXISTS dpop_jkt varchar(64)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE refresh_token DROP COLUMN dpop_jkt`);
    await q.query(`ALTER TABLE authorization_code DROP COLUMN dpop_jkt`);
  }
}
