import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { provisionStreams, streamSettingsFrom } from './event-streams.js';

describe('JetStream stream settings (EVENTS_STREAM_*)', () => {
  it('defaults: one replica, 30 days, no size limit', () => {
    assert.deepEqual(streamSettingsFrom({}), { replicas: 1, maxAgeSeconds: 2592000, maxBytes: -1 });
    assert.deepEqual(streamSettingsFrom({ EVENTS_STREAM_REPLICAS: '3', EVENTS_STREAM_MAX_AGE_SECONDS: '0', EVENTS_STREAM_MAX_BYTES: '10737418240' }), { replicas: 3, maxAgeSeconds: 0, maxBytes: 10737418240 });
  });

  it('refuses each bad value with the setting named', () => {
    const cases: Array<[NodeJS.ProcessEnv, RegExp]> = [
      [{ EVENTS_STREAM_REPLICAS: '0' }, /EVENTS_STREAM_REPLICAS: must be an integer from 1 to 5 \(got "0"\)/],
      [{ EVENTS_STREAM_REPLICAS: '7' }, /EVENTS_STREAM_REPLICAS: must be an integer from 1 to 5/],
      [{ EVENTS_STREAM_REPLICAS: '1.5' }, /EVENTS_STREAM_REPLICAS/],
      [{ EVENTS_STREAM_MAX_BYTES: '-2' }, /EVENTS_STREAM_MAX_BYTES: must be an integer from -1/],
      [{ EVENTS_STREAM_MAX_AGE_SECONDS: '60' }, /EVENTS_STREAM_MAX_AGE_SECONDS: must be 0 \(no limit\) or at least 120/],
      [{ EVENTS_STREAM_MAX_AGE_SECONDS: '1e6' }, /EVENTS_STREAM_MAX_AGE_SECONDS: must be an integer/],
    ];
    for (const [env, message] of cases) assert.throws(() => streamSettingsFrom(env), message, JSON.stringify(env));
  });

  it('creates a missing stream with the settings, then updates it to new ones keeping its subjects', { skip: !process.env.NATS_URL && 'NATS_URL not set' }, async () => {
    const name = `SPEC_STREAMS_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    const streams = [{ name, subjects: [`spec.${name}.>`] }];
    const connection = await connect({ servers: process.env.NATS_URL! });
    const jsm = await jetstreamManager(connection);
    try {
      const created = await provisionStreams(process.env.NATS_URL!, { replicas: 1, maxAgeSeconds: 3600, maxBytes: 1_000_000 }, streams);
      assert.match(created[0]!, new RegExp(`stream ${name}: created \\(replicas 1, max age 3600 s, max bytes 1000000\\)`));
      let info = await jsm.streams.info(name);
      assert.deepEqual([info.config.num_replicas, info.config.max_age, info.config.max_bytes, info.config.subjects], [1, 3600 * 1e9, 1_000_000, [`spec.${name}.>`]]);
      const updated = await provisionStreams(process.env.NATS_URL!, { replicas: 1, maxAgeSeconds: 7200, maxBytes: -1 }, streams);
      assert.match(updated[0]!, /updated/);
      info = await jsm.streams.info(name);
      assert.deepEqual([info.config.max_age, info.config.max_bytes, info.config.subjects], [7200 * 1e9, -1, [`spec.${name}.>`]]);
    } finally {
      await jsm.streams.delete(name).catch(() => undefined);
      await connection.close();
    }
  });
});
