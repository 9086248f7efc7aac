import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { scratchJanitor, scratchServerDatabase } from '#testing';
import { purgeStatement } from '../housekeeping/expiring-rows.js';
import type { ClientEventData, EventEnvelope } from '#contracts';
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

  const registered = (): ClientEventData => ({ client_id: randomUUID(), token_endpoint_auth_method: 'none', grant_types: ['authorization_code'], scope: 'openid', revision: 1 });

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

  it('marks events published by many callers at once, each caller answered after its rows are marked', async () => {
    const written = await Promise.all(Array.from({ length: 40 }, () => outbox.record('client.registered', registered())));
    await Promise.all(written.map(async (envelope) => {
      await outbox.publish([envelope]);
      const [mine] = await dataSource.query('SELECT published_at FROM test_outbox WHERE id = $1', [envelope.id]);
      assert.ok(mine.published_at, 'answered before its row was marked');
    }));
    const ids = written.map((e) => e.id);
    const [{ n }] = await dataSource.query('SELECT count(*)::int AS n FROM test_outbox WHERE id = ANY($1::uuid[]) AND published_at IS NULL', [ids]);
    assert.equal(n, 0);
  });

  it('marks the events the broker took before one it refused; that one and the rest stay pending for the relay', async () => {
    let taken = 0;
    const flaky = new (class extends InProcessEventBus {
      override async publishEnvelope(envelope: EventEnvelope): Promise<void> {
        if (taken++ === 2) throw new Error('broker down');
        await super.publishEnvelope(envelope);
      }
    })();
    const failing = new Outbox(dataSource, flaky, 'test');
    const written = await Promise.all(Array.from({ length: 5 }, () => failing.record('client.registered', registered())));
    await assert.rejects(failing.publish(written), /broker down/);
    const rows: Array<{ id: string; published: boolean }> = await dataSource.query('SELECT id, published_at IS NOT NULL AS published FROM test_outbox WHERE id = ANY($1::uuid[])', [written.map((e) => e.id)]);
    const published = new Map(rows.map((r) => [r.id, r.published]));
    assert.deepEqual(written.map((e) => published.get(e.id)), [true, true, false, false, false]);
    // The relay sends what is left, oldest first, and marks it.
    await failing.relay();
    const [{ n }] = await dataSource.query('SELECT count(*)::int AS n FROM test_outbox WHERE id = ANY($1::uuid[]) AND published_at IS NULL', [written.map((e) => e.id)]);
    assert.equal(n, 0);
  });
});
