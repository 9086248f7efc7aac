import 'reflect-metadata';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidGrant } from '#oauth';
import { RequestContext } from '../observability/request-context.js';
import { InProcessRouter } from './in-process.transport.js';
import { InProcessRequester } from './in-process.requester.js';
import { NoResponders, ReplyTimeout } from './transport-errors.js';

describe('InProcessRequester: the embedded mode\'s requests', () => {
  it('answers through the registered handler, round-robin, with copies and the request id as a header', async () => {
    const router = new InProcessRouter();
    const sent = { n: 1 };
    const seen: Array<[string, unknown, string | undefined]> = [];
    for (const name of ['a', 'b']) {
      router.register('s', async (data, _ctx, headers) => {
        seen.push([name, data, headers?.['x-request-id']]);
        return { from: name, data };
      });
    }
    const requester = new InProcessRequester(router);
    const answers = await RequestContext.run('req-1', () => Promise.all([requester.request('s', sent, 1000), requester.request('s', sent, 1000)]));
    assert.deepEqual(answers, [{ from: 'a', data: { n: 1 } }, { from: 'b', data: { n: 1 } }]);
    assert.deepEqual(seen.map(([name, , requestId]) => [name, requestId]), [['a', 'req-1'], ['b', 'req-1']]);
    assert.notEqual(seen[0][1], sent, 'the handler gets a copy');
  });

  it('fails with NoResponders when nothing handles the subject, ReplyTimeout when the answer is late', async () => {
    const router = new InProcessRouter();
    router.register('slow', () => new Promise((resolve) => setTimeout(() => resolve('late'), 200)));
    const requester = new InProcessRequester(router);
    await assert.rejects(requester.request('nobody', {}, 1000), NoResponders);
    await assert.rejects(requester.request('slow', {}, 50), ReplyTimeout);
  });

  it('passes what the handler rejects with (the exception filter\'s envelope) through as it is', async () => {
    const router = new InProcessRouter();
    const envelope = new InvalidGrant('used').toEnvelope();
    router.register('refused', () => Promise.reject(envelope));
    await assert.rejects(new InProcessRequester(router).request('refused', {}, 1000), (err: unknown) => err === envelope);
  });
});
