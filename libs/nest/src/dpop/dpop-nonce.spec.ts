import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DpopNonces } from './dpop-nonce.js';

describe('DPoP server nonces (RFC 9449 §8)', () => {
  let clock = 1_000_000_000_000;
  const now = () => clock;
  const nonces = DpopNonces.derive('key-encryption-key-of-the-deployment', 300, now);

  it('every replica with the same key computes the same nonce', () => {
    assert.equal(DpopNonces.derive('key-encryption-key-of-the-deployment', 300, now).current(), nonces.current());
    assert.notEqual(DpopNonces.derive('another-deployment', 300, now).current(), nonces.current());
    assert.match(nonces.current(), /^[A-Za-z0-9_-]{22}$/);
  });

  it("accepts the current and the previous window's nonce, not older ones", () => {
    const first = nonces.current();
    assert.ok(nonces.accepts(first));
    clock += 300_000;
    assert.notEqual(nonces.current(), first, 'rotated');
    assert.ok(nonces.accepts(first), 'the previous one');
    assert.ok(nonces.accepts(nonces.current()));
    clock += 300_000;
    assert.equal(nonces.accepts(first), false, 'two windows back');
  });

  for (const value of [undefined, '', 42, 'x'.repeat(22), 'x'.repeat(200)]) {
    it(`refuses ${JSON.stringify(value)}`, () => assert.equal(nonces.accepts(value), false));
  }
});
