import type { MigrationInterface, QueryRunner } from 'typeorm';

/** When a grant's code or refresh token was last exchanged (token administration), and a patient filter. */
export class GrantLastUsed1764600000000 implements MigrationInterface {
  name = 'GrantLastUsed1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE authorization_grant ADD COLUMN last_used_at timestamptz`);
    await q.query(`CREATE INDEX authorization_grant_patient_idx ON authorization_grant ((context->>'patient'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX authorization_grant_patient_idx`);
    await q.query(`ALTER TABLE authorization_grant DROP COLUMN last_used_at`);
  }
}
