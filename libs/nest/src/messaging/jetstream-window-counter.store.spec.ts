import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { JetStreamWindowCounterStore } from './jetstream-window-counter.store.js';

const NATS_URL = process.env.NATS_URL;

describe('JetStreamWindowCounterStore (a real nats-server)', { skip: NATS_URL ? false : 'needs NATS_URL (a real nats-server)' }, () => {
  let connection: NatsConnection;
  const bucket = `TEST_RL_${randomBytes(4).toString('hex').toUpperCase()}`;

  before(async () => {
    connection = await connect({ servers: NATS_URL });
  });
  after(async () => {
    await (await jetstreamManager(connection)).streams.delete(`KV_${bucket}`).catch(() => undefined);
    await connection.close();
  });

  it('two replicas add to one count per key and window, concurrently, and none is lost', async () => {
    const [a, b] = [new JetStreamWindowCounterStore(connection, bucket, 120), new JetStreamWindowCounterStore(connection, bucket, 120)];
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).add('token-client', 'client-a', 60_000, 1)));
    assert.deepEqual(answers.map((x) => x.count).sort((x, y) => x - y), Array.from({ length: 20 }, (_, i) => i + 1), 'each addition saw its own count');
    assert.deepEqual(await a.add('token-client', 'client-a', 120_000, 3), { count: 3, added: true }, 'another window starts from 0');
    assert.deepEqual(await b.add('token-address', 'client-a', 60_000, 1), { count: 1, added: true }, 'another counter too');
  });

  it('adds nothing past the ceiling, even racing', async () => {
    const store = new JetStreamWindowCounterStore(connection, bucket, 120);
    const answers = await Promise.all(Array.from({ length: 10 }, () => store.add('token-client', 'racer', 60_000, 1, 4)));
    assert.equal(answers.filter((x) => x.added).length, 4);
    assert.deepEqual(await store.add('token-client', 'racer', 60_000, 1, 4), { count: 4, added: false });
  });

  it('keeps counts in memory, one copy, as long as asked (a changed window updates the bucket), and fails at once without a connection', async () => {
    const jsm = await jetstreamManager(connection);
    const info = await jsm.streams.info(`KV_${bucket}`);
    assert.equal(info.config.storage, 'memory');
    assert.equal(info.config.max_msgs_per_subject, 1);
    assert.equal(info.config.max_age, 120 * 1e9);
    await new JetStreamWindowCounterStore(connection, bucket, 600).add('token-client', 'later', 60_000, 1);
    assert.equal((await jsm.streams.info(`KV_${bucket}`)).config.max_age, 600 * 1e9);
    const offline = new JetStreamWindowCounterStore(connection, bucket, 600, () => false);
    await assert.rejects(offline.add('token-client', 'x', 60_000, 1), /NATS is not connected/);
  });
});
