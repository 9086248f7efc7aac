import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ALL_EVENTS_SUBJECT, type EventEnvelope } from '#contracts';
import { InProcessEventBus } from './in-process-event-bus.js';

const waitFor = async (what: string, check: () => boolean, ms = 10_000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('InProcessEventBus consume (issue #14: dead letters)', () => {
  it('stores the good events of a failing batch at once, and sets the poison aside after MAX_DELIVER attempts', async () => {
    const bus = new InProcessEventBus();
    const stored: string[] = [];
    const publish = (clientId: string) => bus.publish('token.revoked', { jti: clientId, client_id: clientId, token_type: 'access_token', exp: 1, reason: 'admin' }, { source: 'spec' });
    const stop = await bus.consume(
      'audit',
      ALL_EVENTS_SUBJECT,
      async (batch: EventEnvelope[]) => {
        if (batch.some((e) => (e.data as { client_id?: string }).client_id === 'poison')) throw new Error('cannot store this one');
        stored.push(...batch.map((e) => (e.data as { client_id: string }).client_id));
      },
      { problemOf: (value) => ((value as EventEnvelope).source === 'spec' ? null : 'not from the spec') },
    );
    await publish('good-1');
    await publish('poison');
    await publish('good-2');
    await waitFor('the good events', () => stored.includes('good-1') && stored.includes('good-2'), 2_000);
    let page = await bus.deadLetters({ after: 0, limit: 10 });
    const deadline = Date.now() + 10_000;
    while (page.letters.length === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      page = await bus.deadLetters({ after: 0, limit: 10 });
    }
    assert.equal(page.letters.length, 1);
    assert.equal(page.letters[0]!.kind, 'max_deliver');
    assert.equal(page.letters[0]!.deliveries, 5);
    assert.match(page.letters[0]!.reason, /cannot store this one/);
    assert.match(page.letters[0]!.payload, /poison/);
    await publish('good-3');
    await waitFor('an event after the poison', () => stored.includes('good-3'), 2_000);
    await stop();
    await bus.close();
  });
});
