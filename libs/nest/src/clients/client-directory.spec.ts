import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ClientRecord } from '#contracts';
import { ReconnectingEventBus } from '#testing';
import { InProcessEventBus } from '../messaging/in-process-event-bus.js';
import { suiteMetrics } from '../observability/metrics.js';
import type { ServiceBus } from '../messaging/service-bus.js';
import { ClientDirectory } from './client-directory.js';

function record(id: string, revision = 1): ClientRecord {
  return {
    client_id: id,
    metadata: { redirect_uris: [], token_endpoint_auth_method: 'client_secret_basic', grant_types: ['client_credentials'], response_types: [], scope: 'system/*.rs' },
    client_id_issued_at: 0,
    revision,
  };
}

/** The registration service's lookup, counted (a fake collaborator). */
function registration(clients: Map<string, ClientRecord>) {
  const calls: string[] = [];
  let release: () => void = () => undefined;
  let gate: Promise<void> = Promise.resolve();
  const bus = {
    async request(_route: unknown, payload: { clientId: string }) {
      calls.push(payload.clientId);
      const answer = clients.get(payload.clientId) ?? null; // read when asked, delivered when released
      await gate;
      return answer;
    },
  } as unknown as ServiceBus;
  return {
    bus,
    calls,
    hold() {
      gate = new Promise((r) => (release = r));
    },
    release: () => release(),
  };
}

describe('ClientDirectory', () => {
  it('looks a client up once and answers later calls from memory', async () => {
    const clients = new Map([['a', record('a')]]);
    const reg = registration(clients);
    const directory = new ClientDirectory(reg.bus, new InProcessEventBus());
    assert.equal((await directory.get('a'))?.client_id, 'a');
    assert.equal((await directory.get('a'))?.client_id, 'a');
    assert.deepEqual(reg.calls, ['a']);
  });

  it('keeps at most 10,000 clients, forgetting the oldest first (counted in cache_evictions_total)', async () => {
    const evictions = async () => (await suiteMetrics().cacheEvictions.get()).values.find((v) => v.labels.cache === 'client_directory')?.value ?? 0;
    const before = await evictions();
    const reg = registration(new Map());
    const directory = new ClientDirectory(reg.bus, new InProcessEventBus());
    for (let i = 0; i <= 10_000; i++) await directory.get(`c${i}`);
    assert.equal(directory.peek('c0'), undefined, 'the oldest was forgotten');
    assert.equal(directory.peek('c1'), null, 'the next one is still known (as unknown)');
    assert.equal((await evictions()) - before, 1);
  });

  it('coalesces concurrent misses into one lookup', async () => {
    const reg = registration(new Map([['a', record('a')]]));
    const directory = new ClientDirectory(reg.bus, new InProcessEventBus());
    reg.hold();
    const pending = Promise.all([directory.get('a'), directory.get('a'), directory.get('a')]);
    reg.release();
    const answers = await pending;
    assert.deepEqual(reg.calls, ['a']);
    assert.ok(answers.every((a) => a === answers[0]));
  });

  it('remembers an unknown client briefly', async () => {
    const reg = registration(new Map());
    const directory = new ClientDirectory(reg.bus, new InProcessEventBus());
    assert.equal(await directory.get('ghost'), null);
    assert.equal(await directory.get('ghost'), null);
    assert.deepEqual(reg.calls, ['ghost']);
  });

  it('forgets a client when a client event names it', async () => {
    const clients = new Map([['a', record('a', 1)]]);
    const reg = registration(clients);
    const events = new InProcessEventBus();
    const directory = new ClientDirectory(reg.bus, events);
    await directory.get('a');
    clients.set('a', record('a', 2));
    await events.publish('client.updated', { client_id: 'a', token_endpoint_auth_method: 'client_secret_basic', grant_types: [], scope: '', revision: 2 }, { source: 'test' });
    assert.equal((await directory.get('a'))?.revision, 2);
    clients.delete('a');
    await events.publish('client.deleted', { client_id: 'a', token_endpoint_auth_method: 'client_secret_basic', grant_types: [], scope: '', revision: 3 }, { source: 'test' });
    assert.equal(await directory.get('a'), null);
    assert.deepEqual(reg.calls, ['a', 'a', 'a']);
    directory.onModuleDestroy();
  });

  it('does not cache a lookup that an event overtook', async () => {
    const clients = new Map([['a', record('a', 1)]]);
    const reg = registration(clients);
    const events = new InProcessEventBus();
    const directory = new ClientDirectory(reg.bus, events);
    reg.hold();
    const stale = directory.get('a');
    await events.publish('client.deleted', { client_id: 'a', token_endpoint_auth_method: 'client_secret_basic', grant_types: [], scope: '', revision: 2 }, { source: 'test' });
    clients.delete('a');
    reg.release();
    assert.equal((await stale)?.revision, 1); // the caller that asked before the event gets what was true then
    assert.equal(await directory.get('a'), null);
    assert.deepEqual(reg.calls, ['a', 'a']);
  });

  it('forgets every client when the broker connection is lost and when it is back (client events missed meanwhile)', async () => {
    const clients = new Map([['a', record('a')], ['b', record('b')]]);
    const reg = registration(clients);
    const events = new ReconnectingEventBus();
    const directory = new ClientDirectory(reg.bus, events);
    await directory.get('a');
    await directory.get('b');
    events.change('lost');
    clients.delete('a'); // its client.deleted is never heard here
    events.change('resumed');
    assert.equal(await directory.get('a'), null);
    assert.equal((await directory.get('b'))?.client_id, 'b');
    assert.deepEqual(reg.calls, ['a', 'b', 'a', 'b']);
    directory.onModuleDestroy();
  });
});
