import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DataSource } from 'typeorm';
import type { EventEnvelope } from '#contracts';
import { EventBus, Outbox, outboxMigration, type DeadLetterPage } from '#nest';
import { scratchDatabase } from './support/scratch-database.js';

/** A broker that can be "down": the outbox under test publishes through it. */
class SwitchableBroker extends EventBus {
  down = false;
  readonly published: EventEnvelope[] = [];
  async publishEnvelope(envelope: EventEnvelope): Promise<void> {
    if (this.down) throw new Error('broker unavailable');
    this.published.push(envelope);
  }
  subscribe(): () => void {
    return () => undefined;
  }
  async consume(): Promise<() => Promise<void>> {
    return async () => undefined;
  }
  async replay(): Promise<number> {
    return 0;
  }
  async deadLetters(): Promise<DeadLetterPage> {
    return { letters: [] };
  }
  onConnectionChange(): () => void {
    return () => undefined;
  }
  async isHealthy(): Promise<boolean> {
    return !this.down;
  }
  async close(): Promise<void> {}
}

/**
 * The transactional outbox against a real PostgreSQL (the server of
 * DATABASE_URL, else the embedded PGlite): events live and die with their
 * transaction, wait while the broker is down, and go out in order when it returns.
 */
describe('transactional outbox', () => {
  let dataSource: DataSource;
  let cleanup: () => Promise<void>;
  const broker = new SwitchableBroker();
  let outbox: Outbox;

  before(async () => {
    const db = await scratchDatabase('outbox');
    const url = db.url;
    cleanup = db.drop;
    dataSource = new DataSource({ type: 'postgres', url, migrations: [outboxMigration('test')], migrationsTableName: 'test_migrations', extra: { max: 1 } });
    await dataSource.initialize();
    await dataSource.runMigrations();
    outbox = new Outbox(dataSource, broker, 'test');
  });
  after(async () => {
    await dataSource?.destroy();
    await cleanup?.();
  });

  const data = (n: number) => ({ kid: `k${n}`, alg: 'ES256', state: 'active' as const });

  it('an event written in a rolled-back transaction never exists', async () => {
    await assert.rejects(
      dataSource.transaction(async (manager) => {
        await outbox.add(manager, 'key.activated', data(0));
        throw new Error('the change failed');
      }),
    );
    assert.equal(await outbox.pending(), 0);
  });

  it('with the broker down, committed events wait; when it returns they go out once, in order', async () => {
    broker.down = true;
    const first = await dataSource.transaction((manager) => outbox.add(manager, 'key.activated', data(1)));
    const second = await outbox.record('key.activated', data(2), { requestId: 'req-2' });
    await assert.rejects(outbox.publish([first]), /broker unavailable/);
    assert.equal(await outbox.relay(), 0);
    assert.equal(await outbox.pending(), 2);

    broker.down = false;
    assert.equal(await outbox.relay(), 2);
    assert.deepEqual(broker.published.map((e) => e.id), [first.id, second.id]);
    assert.equal(broker.published[1]!.request_id, 'req-2');
    assert.equal(broker.published[0]!.source, 'test');
    assert.equal(await outbox.pending(), 0);
    assert.equal(await outbox.relay(), 0, 'nothing is sent twice');
    assert.equal(broker.published.length, 2);
  });

  it('finds the pending events of one fact (a retried call re-publishes them, same id)', async () => {
    broker.down = true;
    const revoked = (jti: string) => ({ jti, client_id: 'c', token_type: 'access_token' as const, exp: 1, reason: 'client_request' as const });
    const a = await outbox.record('token.revoked', revoked('j-a'));
    await outbox.record('token.revoked', revoked('j-b'));
    assert.deepEqual((await outbox.pendingFor('token.revoked', 'jti', 'j-a')).map((e) => e.id), [a.id]);
    assert.deepEqual(await outbox.pendingFor('key.activated', 'kid', 'j-a'), []);
    broker.down = false;
    await outbox.publish(await outbox.pendingFor('token.revoked', 'jti', 'j-a'));
    assert.deepEqual(await outbox.pendingFor('token.revoked', 'jti', 'j-a'), [], 'published events are no longer pending');
    assert.equal(await outbox.relay(), 1);
  });
});
