import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Keeps the registration access token, encrypted, so reads can return the
 * current value without rotating it (CONFORMANCE §6.14: OIDF DCR tests fail
 * when the token changes on every read or update).
 */
export class KeepRegistrationToken1764050400000 implements MigrationInterface {
  name = 'KeepRegistrationToken1764050400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE client ADD COLUMN registration_token_encrypted text NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE client DROP COLUMN registration_token_encrypted`);
  }
}
