import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import pg from 'pg';
import { scratchJanitor, scratchServerDatabase } from '#testing';
import { suiteMetrics } from '../observability/metrics.js';
import type { ExpiringRows } from './expiring-rows.js';
import { pgJanitorConnector, type JanitorConnector } from './janitor-connection.js';

const ITEMS: ExpiringRows = { table: 'item', key: 'id', pastHorizon: 'expires_at < now()' };
const OTHERS: ExpiringRows = { table: 'other_item', key: 'id', pastHorizon: 'expires_at < now()' };

/** Every statement a janitor's connection ran, what it answered, and on which backend; `delayMs` slows each DELETE. */
function observed(url: string, delayMs = 0) {
  const log = { deletes: [] as number[], pids: [] as number[] };
  const base = pgJanitorConnector(url);
  const connect: JanitorConnector = async () => {
    const connection = await base();
    log.pids.push(Number((await connection.query('SELECT pg_backend_pid() AS pid')).rows[0]!.pid));
    return {
      query: async (sql, parameters) => {
        const result = await connection.query(sql, parameters);
        if (sql.startsWith('DELETE')) {
          log.deletes.push(result.rowCount ?? 0);
          if (delayMs) await sleep(delayMs);
        }
        return result;
      },
      end: () => connection.end(),
    };
  };
  return { connect, log };
}

const metricValue = async (name: 'housekeepingRowsDeleted' | 'housekeepingBacklog' | 'housekeepingLockSkipped', labels: Record<string, string>): Promise<number> => {
  const { values } = await suiteMetrics()[name].get();
  return values.find((v) => Object.entries(labels).every(([k, value]) => (v.labels as Record<string, unknown>)[k] === value))?.value ?? 0;
};

describe('Janitor: bounded batches under an advisory lock (PostgreSQL)', { skip: !process.env.DATABASE_URL && 'needs DATABASE_URL' }, () => {
  let url: string;
  let drop: () => Promise<void>;
  let db: pg.Client;
  const warnings: string[] = [];
  const count = async (where = 'true', table = 'item') => Number((await db.query(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`)).rows[0].n);
  const fill = async (expired: number, live: number, table = 'item') => {
    await db.query(`TRUNCATE ${table}`);
    await db.query(`INSERT INTO ${table} SELECT g, now() - interval '1 minute' FROM generate_series(1, $1::int) g`, [expired]);
    await db.query(`INSERT INTO ${table} SELECT g, now() + interval '1 hour' FROM generate_series($1::int + 1, $1::int + $2::int) g`, [expired, live]);
  };

  before(async () => {
    Logger.overrideLogger({ log: () => undefined, error: () => undefined, debug: () => undefined, verbose: () => undefined, warn: (message: unknown) => void warnings.push(String(message)) });
    ({ url, drop } = await scratchServerDatabase('janitor', process.env.DATABASE_URL!));
    db = new pg.Client({ connectionString: url });
    await db.connect();
    for (const table of ['item', 'other_item']) {
      await db.query(`CREATE TABLE ${table} (id int PRIMARY KEY, expires_at timestamptz NOT NULL)`);
      await db.query(`CREATE INDEX ${table}_expires_idx ON ${table} (expires_at)`);
    }
  });
  beforeEach(() => {
    warnings.length = 0;
  });
  after(async () => {
    await db?.end();
    await drop?.();
    Logger.overrideLogger(false);
  });

  it('deletes every row past its horizon in statements of at most one batch, and no live row', async () => {
    await fill(2500, 40);
    const before = await metricValue('housekeepingRowsDeleted', { table: 'item' });
    const { connect, log } = observed(url);
    const report = await scratchJanitor(connect, [ITEMS], { batchSize: 1000 }).round();
    assert.deepEqual(log.deletes, [1000, 1000, 500]);
    assert.deepEqual(report, { ran: true, deleted: { item: 2500 }, statements: 3, backlog: { item: 0 } });
    assert.equal(await count(), 40);
    assert.equal(await count('expires_at < now()'), 0);
    assert.equal((await metricValue('housekeepingRowsDeleted', { table: 'item' })) - before, 2500);
    assert.equal(await metricValue('housekeepingBacklog', { table: 'item' }), 0);
  });

  it('stops starting batches when the round budget is spent: the tables took turns, the rest is the backlog, and the next round goes on', async () => {
    await fill(1000, 5);
    await fill(1000, 5, 'other_item');
    const { connect } = observed(url, 40);
    const janitor = scratchJanitor(connect, [ITEMS, OTHERS], { batchSize: 100, roundBudgetMs: 200 });
    const first = await janitor.round();
    assert.ok(first.deleted.item! > 0 && first.deleted.other_item! > 0, 'both tables had batches');
    assert.ok(first.deleted.item! < 1000);
    assert.equal(first.backlog.item, 1000 - first.deleted.item!);
    assert.equal(first.backlog.other_item, 1000 - first.deleted.other_item!);
    assert.equal(await metricValue('housekeepingBacklog', { table: 'item' }), first.backlog.item);
    const rest = await scratchJanitor(url, [ITEMS, OTHERS], { batchSize: 100 }).round();
    assert.equal(first.deleted.item! + rest.deleted.item!, 1000);
    assert.equal(await count(), 5);
    assert.equal(await count('true', 'other_item'), 5);
  });

  it('two janitors on one database never run a round at the same time: the one without the lock skips it', async () => {
    await fill(600, 0);
    const skippedBefore = await metricValue('housekeepingLockSkipped', { service: 'test' });
    const slow = scratchJanitor(observed(url, 30).connect, [ITEMS], { batchSize: 100 });
    const other = scratchJanitor(url, [ITEMS], { batchSize: 100 });
    const running = slow.round();
    await sleep(60);
    const skipped = await other.round();
    assert.deepEqual(skipped, { ran: false, deleted: {}, statements: 0, backlog: {} });
    assert.equal((await running).deleted.item, 600);
    assert.equal((await metricValue('housekeepingLockSkipped', { service: 'test' })) - skippedBefore, 1);
    assert.equal((await other.round()).ran, true, 'the lock is free once the round is over');
  });

  it('a connection killed in the middle of a statement leaves no half-done batch; the lock goes with it and the next round carries on', async () => {
    // Slow deletes (a trigger sleeping per row), so the kill lands inside one.
    await db.query(`CREATE FUNCTION slow_delete() RETURNS trigger AS $$ BEGIN PERFORM pg_sleep(0.0005); RETURN OLD; END $$ LANGUAGE plpgsql`);
    await db.query(`CREATE TRIGGER item_slow BEFORE DELETE ON item FOR EACH ROW EXECUTE FUNCTION slow_delete()`);
    try {
      await fill(2000, 10);
      const { connect, log } = observed(url);
      const round = scratchJanitor(connect, [ITEMS], { batchSize: 400 }).round();
      while (log.deletes.length < 1) await sleep(5);
      await sleep(50);
      const killed = await db.query(`SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity WHERE pid = $1 AND state = 'active' AND query LIKE 'DELETE%'`, [log.pids[0]]);
      assert.equal(killed.rows[0]?.killed, true, 'killed while deleting');
      const report = await round;
      assert.equal(report.ran, true);
      assert.match(report.failure ?? '', /^item: /);
      assert.equal(warnings.length, 1, 'one warning for the round');
      const left = await count('expires_at < now()');
      assert.equal(left, 2000 - report.deleted.item!, 'only whole batches were deleted');
      assert.equal(report.deleted.item! % 400, 0);
      const next = await scratchJanitor(url, [ITEMS], { batchSize: 400 }).round();
      assert.equal(next.ran, true, 'the lock went with the killed session');
      assert.equal(next.deleted.item, left);
      assert.equal(await count(), 10);
    } finally {
      await db.query(`DROP TRIGGER item_slow ON item`);
      await db.query(`DROP FUNCTION slow_delete()`);
    }
  });

  it('leaves a row a request holds locked for a later round instead of waiting for it', async () => {
    await fill(50, 0);
    const request = new pg.Client({ connectionString: url });
    await request.connect();
    try {
      await request.query('BEGIN');
      await request.query('SELECT id FROM item WHERE id = 7 FOR UPDATE');
      const report = await scratchJanitor(url, [ITEMS], { batchSize: 20 }).round();
      assert.equal(report.deleted.item, 49);
      await request.query('COMMIT');
      assert.equal((await scratchJanitor(url, [ITEMS]).round()).deleted.item, 1);
    } finally {
      await request.end();
    }
  });

  it('a database failure ends the round with one warning and never throws: no connection, or a statement that fails', async () => {
    const unreachable = await scratchJanitor(pgJanitorConnector('postgres://postgres@127.0.0.1:1/none'), [ITEMS]).round();
    assert.equal(unreachable.ran, false);
    assert.match(unreachable.failure ?? '', /^connect: /);
    assert.equal(warnings.length, 1);
    warnings.length = 0;
    const broken = await scratchJanitor(url, [{ table: 'no_such_table', key: 'id', pastHorizon: 'true' }, ITEMS]).round();
    assert.equal(broken.ran, true);
    assert.match(broken.failure ?? '', /^no_such_table: .*does not exist/);
    assert.equal(warnings.length, 1);
    assert.equal((await scratchJanitor(url, [ITEMS]).round()).ran, true, 'and released the lock');
  });
});
