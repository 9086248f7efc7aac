import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJson } from './canonical-json.js';
import { GENESIS_HASH, rowHash, verifyRows, type ChainedRow } from './hash-chain.js';

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops undefined members', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [true, null, 'x'], c: undefined } }), '{"a":{"d":[true,null,"x"]},"b":1}');
  });
  it('gives the same text for the same content whatever the key order (jsonb reorders keys)', () => {
    assert.equal(canonicalJson({ id: '1', data: { x: 1, y: 2 } }), canonicalJson({ data: { y: 2, x: 1 }, id: '1' }));
  });
  it('refuses what JSON cannot carry faithfully', () => {
    assert.throws(() => canonicalJson({ n: Number.NaN }));
    assert.throws(() => canonicalJson({ a: [undefined] }));
    assert.throws(() => canonicalJson({ f: () => 1 }));
  });
  it('orders keys by UTF-16 code units, integer-like keys included (the order existing rows were hashed in)', () => {
    const value = { ｚ: 7, '😀': 6, é: 5, b: 3, B: 4, '9': 2, '10': 1, nested: [{ y: 'é\n"', x: -0.5e-7 }] };
    assert.equal(canonicalJson(value), '{"10":1,"9":2,"B":4,"b":3,"nested":[{"x":-5e-8,"y":"é\\n\\""}],"é":5,"😀":6,"ｚ":7}');
  });
});

describe('hash chain', () => {
  const events = [{ id: 'a', n: 1 }, { id: 'b', n: 2 }, { id: 'c', n: 3 }];
  function chain(): ChainedRow[] {
    let prev = GENESIS_HASH;
    return events.map((event, i) => {
      const hash = rowHash(prev, event);
      const row = { seq: i + 1, eventId: event.id, prevHash: prev, rowHash: hash, event: { ...event } };
      prev = hash;
      return row;
    });
  }

  it('an untouched chain verifies, also across pages', () => {
    const rows = chain();
    assert.deepEqual(verifyRows(rows, null).break, undefined);
    const first = verifyRows(rows.slice(0, 2), null);
    assert.equal(verifyRows(rows.slice(2), first.last).break, undefined);
  });
  it('altered content is reported at its row', () => {
    const rows = chain();
    rows[1]!.event = { id: 'b', n: 20 };
    assert.deepEqual([verifyRows(rows, null).break?.seq, verifyRows(rows, null).break?.problem], [2, 'content_altered']);
  });
  it('a deleted row breaks the link of the next one', () => {
    const rows = chain();
    rows.splice(1, 1);
    assert.deepEqual([verifyRows(rows, null).break?.seq, verifyRows(rows, null).break?.problem], [3, 'link_broken']);
  });
  it('a re-hashed row still breaks the link of the next one', () => {
    const rows = chain();
    rows[1]!.event = { id: 'b', n: 20 };
    rows[1]!.rowHash = rowHash(rows[1]!.prevHash!, rows[1]!.event);
    assert.deepEqual([verifyRows(rows, null).break?.seq, verifyRows(rows, null).break?.problem], [3, 'link_broken']);
  });
  it('rows from before the chain existed are skipped; hashes removed later are not', () => {
    const legacy: ChainedRow = { seq: 0, eventId: 'old', prevHash: null, rowHash: null, event: {} };
    assert.equal(verifyRows([legacy, ...chain()], null).break, undefined);
    const rows = chain();
    rows[2] = { ...rows[2]!, prevHash: null, rowHash: null };
    assert.equal(verifyRows(rows, null).break?.seq, 3);
  });
});
