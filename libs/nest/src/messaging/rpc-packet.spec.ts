import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidGrant } from '#oauth';
import { answerOf, decodeRequest, encodeAnswer, encodeReply, encodeRequest } from './rpc-packet.js';
import { NoMatchingHandler } from './transport-errors.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const bytes = (value: unknown) => encoder.encode(JSON.stringify(value));

describe('rpc-packet: NestJS\'s NATS wire format', () => {
  it('writes a request as {pattern, data, id}', () => {
    assert.equal(decoder.decode(encodeRequest('smart.x.v1.y', { a: 1 }, 'i1')), '{"pattern":"smart.x.v1.y","data":{"a":1},"id":"i1"}');
  });

  it('reads a request, an event, and someone else\'s JSON as NestJS\'s deserializer does', () => {
    assert.deepEqual(decodeRequest(bytes({ pattern: 'p', data: { a: 1 }, id: 'i1' }), 'chan'), { pattern: 'p', data: { a: 1 }, id: 'i1' });
    assert.deepEqual(decodeRequest(bytes({ pattern: 'p', data: 2 }), 'chan'), { pattern: 'p', data: 2 });
    assert.deepEqual(decodeRequest(bytes({ kind: 'raw' }), 'chan'), { pattern: 'chan', data: { kind: 'raw' } });
    assert.deepEqual(decodeRequest(bytes(null), 'chan'), { pattern: 'chan', data: null });
    assert.deepEqual(decodeRequest(bytes(7), 'chan'), { pattern: 'chan', data: 7 });
    assert.throws(() => decodeRequest(encoder.encode('not json'), 'chan'), SyntaxError);
  });

  it('writes answers byte for byte as NestJS\'s ServerNats: {response, isDisposed, id}, {err, isDisposed, id}', () => {
    assert.equal(decoder.decode(encodeAnswer({ ok: true }, 'i1')), '{"response":{"ok":true},"isDisposed":true,"id":"i1"}');
    assert.equal(decoder.decode(encodeAnswer(undefined, 'i1')), '{"isDisposed":true,"id":"i1"}');
    assert.equal(decoder.decode(encodeReply({ err: { kind: 'oauth_error' }, isDisposed: true }, 'i2')), '{"err":{"kind":"oauth_error"},"isDisposed":true,"id":"i2"}');
    assert.equal(decoder.decode(encodeReply({ response: 1 }, 'i3')), '{"response":1,"id":"i3"}');
  });

  it('reads the answer of a reply, and throws what a reply with err carries', () => {
    assert.deepEqual(answerOf(bytes({ response: { ok: true }, isDisposed: true, id: 'i' }), 's'), { ok: true });
    assert.equal(answerOf(bytes({ isDisposed: true, id: 'i' }), 's'), undefined);
    const envelope = new InvalidGrant('used').toEnvelope();
    assert.throws(() => answerOf(bytes({ err: envelope, isDisposed: true, id: 'i' }), 's'), (err: unknown) => {
      assert.deepEqual(err, JSON.parse(JSON.stringify(envelope)));
      return true;
    });
    // NestJS's ServerNats, for a pattern it has no handler for.
    const noHandler = { id: 'i', status: 'error', err: 'There is no matching message handler defined in the remote service.' };
    assert.throws(() => answerOf(bytes(noHandler), 's'), NoMatchingHandler);
    assert.throws(() => answerOf(bytes({ err: 'boom', isDisposed: true, id: 'i' }), 's'), (err: unknown) => err === 'boom');
    assert.throws(() => answerOf(new Uint8Array(0), 's'), /empty response on s/);
  });
});
