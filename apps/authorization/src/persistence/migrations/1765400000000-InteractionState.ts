import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `interaction.state` (flow/interaction-state.ts). Added with a default, so
 * replicas of the previous release, which do not know the column, keep
 * inserting rows while this one rolls out; rows already there get the state
 * their columns say (an ended one is `completed`: whether it ended with a code
 * or an error was not recorded).
 */
export class InteractionState1765400000000 implements MigrationInterface {
  name = 'InteractionState1765400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE interaction ADD COLUMN IF NOT EXISTS state varchar(16) NOT NULL DEFAULT 'started'
      CHECK (state IN ('started', 'authenticated', 'completed', 'failed'))`);
    await q.query(`UPDATE interaction SET state = CASE WHEN completed_at IS NOT NULL THEN 'completed' WHEN user_id IS NOT NULL THEN 'authenticated' ELSE 'started' END`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE interaction DROP COLUMN state`);
  }
}
