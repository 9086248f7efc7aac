import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { scratchJanitor, scratchServerDatabase } from '#testing';
import { purgeStatement } from '../housekeeping/expiring-rows.js';
import { InProcessEventBus } from '../messaging/in-process-event-bus.js';
import { Outbox } from './outbox.js';
import { outboxMigration, outboxPublishedIndexMigration } from './outbox.migration.js';

describe('outbox rows under the janitor (PostgreSQL)', { skip: !process.env.DATABASE_URL && 'needs DATABASE_URL' }, () => {
  let url: string;
  let drop: () => Promise<void>;
  let dataSource: DataSource;
  let outbox: Outbox;

  before(async () => {
    ({ url, drop } = await scratchServerDatabase('outbox_janitor', process.env.DATABASE_URL!));
    // As the services run them: each migration in a transaction of its own (the index is built CONCURRENTLY).
    dataSource = new DataSource({ type: 'postgres', url, migrations: [outboxMigration('test'), outboxPublishedIndexMigration('test')], migrationsTransactionMode: 'each' });
    await dataSource.initialize();
    await dataSource.runMigrations();
    outbox = new Outbox(dataSource, new InProcessEventBus(), 'test');
  });
  after(async () => {
    await dataSource?.destroy();
    await drop?.();
  });

  const row = async (createdAgo: string, publishedAgo: string | null): Promise<string> => {
    const id = randomUUID();
    await dataSource.query(
      `INSERT INTO test_outbox (id, type, envelope, created_at, published_at) VALUES ($1, 'client.registered', '{}', now() - $2::interval, ${publishedAgo === null ? 'NULL' : 'now() - $3::interval'})`,
      publishedAgo === null ? [id, createdAgo] : [id, createdAgo, publishedAgo],
    );
    return id;
  };

  it('deletes rows published more than a day ago; keeps the newer ones and every row not yet published, however old', async () => {
    const old = await row('3 days', '2 days');
    const recent = await row('2 hours', '1 hour');
    const stuck = await row('5 days', null);
    const report = await scratchJanitor(url, [outbox.expiredRows()]).round();
    assert.equal(report.deleted.test_outbox, 1);
    const left: Array<{ id: string }> = await dataSource.query('SELECT id FROM test_outbox ORDER BY id');
    assert.deepEqual(left.map((r) => r.id).sort(), [recent, stuck].sort());
    assert.ok(!left.some((r) => r.id === old));
  });

  it('picks its batches through the published_at index, never a sequential scan', async () => {
    await dataSource.transaction(async (manager) => {
      await manager.query('SET LOCAL enable_seqscan = off');
      const { sql, parameters } = purgeStatement(outbox.expiredRows(), 5000);
      assert.doesNotMatch(JSON.stringify(await manager.query(`EXPLAIN (FORMAT JSON) ${sql}`, parameters)), /Seq Scan/);
    });
  });
});
