import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `launch_context.session_hash` (launch/ehr-sign-in.ts): the session an EHR's
 * signed launch JWT opened at the launcher, carried by the launcher's page
 * ticket and by the launches made from that page, so that /authorize signs
 * the practitioner in for those launches. Nullable: every other launch, and
 * every row already there, has none.
 */
export class LaunchSignIn1765600000000 implements MigrationInterface {
  name = 'LaunchSignIn1765600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE launch_context ADD COLUMN IF NOT EXISTS session_hash varchar(64)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE launch_context DROP COLUMN session_hash`);
  }
}
