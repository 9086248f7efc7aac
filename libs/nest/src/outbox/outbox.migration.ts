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

/**
 * The index the janitor deletes published rows through (issue #20): before
 * it, every replica deleted them every ten minutes in one statement that
 * read the whole table. Built CONCURRENTLY (outside a transaction), so events
 * go on being written while a large outbox is indexed.
 */
export function outboxPublishedIndexMigration(service: string): new () => MigrationInterface {
  const table = outboxTable(service);
  return class OutboxPublishedIndex1767200000000 implements MigrationInterface {
    name = 'OutboxPublishedIndex1767200000000';
    transaction = false;

    async up(q: QueryRunner): Promise<void> {
      await q.query(`DROP INDEX CONCURRENTLY IF EXISTS ${table}_published_idx`);
      await q.query(`CREATE INDEX CONCURRENTLY ${table}_published_idx ON ${table} (published_at) WHERE published_at IS NOT NULL`);
    }

    async down(q: QueryRunner): Promise<void> {
      await q.query(`DROP INDEX CONCURRENTLY IF EXISTS ${table}_published_idx`);
    }
  };
}
