import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RpcRoute } from '#contracts';
import { OAuthError, ServerError, TemporarilyUnavailable } from '#oauth';
import type { Requester } from './requester.js';
import { RESPONDER_LIVENESS_MS, ServiceBus } from './service-bus.js';
import { NoMatchingHandler, NoResponders, ReplyTimeout, ResponderLost } from './transport-errors.js';

const read: RpcRoute<{ q: number }, string> = { subject: 'smart.spec.v1.read', idempotent: true };
const change: RpcRoute<{ q: number }, string> = { subject: 'smart.spec.v1.change', idempotent: false };

/** A requester that fails with each of `failures` in turn, then answers. */
function scripted(...failures: unknown[]): Requester & { calls: Array<{ subject: string; timeoutMs: number; livenessMs?: number }> } {
  const calls: Array<{ subject: string; timeoutMs: number; livenessMs?: number }> = [];
  return {
    calls,
    async request(subject, _data, timeoutMs, livenessMs) {
      calls.push({ subject, timeoutMs, ...(livenessMs !== undefined ? { livenessMs } : {}) });
      if (calls.length <= failures.length) throw failures[calls.length - 1];
      return 'answer';
    },
  };
}

describe('ServiceBus over a Requester', () => {
  it('answers what the requester answers, with the liveness window and the bus\'s timeout', async () => {
    const requester = scripted();
    assert.equal(await new ServiceBus(requester, 2000).request(change, { q: 1 }), 'answer');
    assert.deepEqual(requester.calls, [{ subject: change.subject, timeoutMs: 2000, livenessMs: RESPONDER_LIVENESS_MS }]);
  });

  for (const failure of [new NoResponders('none'), new ResponderLost('silent')]) {
    it(`asks a read once more after ${failure.name}, within the same timeout`, async () => {
      const requester = scripted(failure);
      assert.equal(await new ServiceBus(requester, 2000).request(read, { q: 1 }), 'answer');
      assert.equal(requester.calls.length, 2);
      assert.ok(requester.calls[1].timeoutMs <= 2000);
    });

    it(`never sends a change twice after ${failure.name}: 503`, async () => {
      const requester = scripted(failure);
      await assert.rejects(new ServiceBus(requester, 2000).request(change, { q: 1 }), TemporarilyUnavailable);
      assert.equal(requester.calls.length, 1);
    });
  }

  it('asks a read no more than twice', async () => {
    const requester = scripted(new ResponderLost('a'), new ResponderLost('b'));
    await assert.rejects(new ServiceBus(requester, 2000).request(read, { q: 1 }), (err: unknown) => err instanceof TemporarilyUnavailable && err.description === 'a backing service stopped answering');
    assert.equal(requester.calls.length, 2);
  });

  it('maps failures by class: a timeout, a missing handler, an error envelope, a bug', async () => {
    await assert.rejects(new ServiceBus(scripted(new ReplyTimeout('late')), 100).request(read, { q: 1 }), (err: unknown) => err instanceof TemporarilyUnavailable && err.description === 'a backing service did not answer in time');
    await assert.rejects(new ServiceBus(scripted(new NoMatchingHandler('x')), 100).request(read, { q: 1 }), (err: unknown) => err instanceof TemporarilyUnavailable && err.description === 'a backing service is not available');
    const envelope = { kind: 'oauth_error', error: 'invalid_grant', description: 'used', status: 400, redirectable: false };
    await assert.rejects(new ServiceBus(scripted(envelope), 100).request(change, { q: 1 }), (err: unknown) => err instanceof OAuthError && err.error === 'invalid_grant' && err.status === 400);
    await assert.rejects(new ServiceBus(scripted(new TypeError('a bug')), 100).request(change, { q: 1 }), ServerError);
  });
});
