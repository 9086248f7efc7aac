import type { MigrationInterface, QueryRunner } from 'typeorm';
import { outboxTable } from './outbox.js';

/**
 * The migration creating a service's outbox table. Each service lists it
 * with its own migrations (its own history table), under this name.
 */
export function outboxMigration(service: string): new () => MigrationInterface {
  const table = outboxTable(service);
  return class CreateOutbox1764400000000 implements MigrationInterface {
    name = 'CreateOutbox1764400000000';

    async up(q: QueryRunner): Promise<void> {
      await q.query(`
        CREATE TABLE ${table} (
          id uuid PRIMARY KEY,
          type varchar(64) NOT NULL,
          envelope jsonb NOT NULL,
          created_at timestamptz NOT NULL DEFAULT now(),
          published_at timestamptz
        )`);
      await q.query(`CREATE INDEX ${table}_pending_idx ON ${table} (created_at, id) WHERE published_at IS NULL`);
    }

    async down(q: QueryRunner): Promise<void> {
      await q.query(`DROP TABLE ${table}`);
    }
  };
}
