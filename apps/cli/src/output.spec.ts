import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cell, fields, maskToken, table } from './output.js';

describe('text output', () => {
  it('renders cells: absent as "-", lists comma-separated, objects as JSON', () => {
    assert.deepEqual(
      [undefined, null, '', [], ['a', 'b'], { a: 1 }, false, 3].map((v) => cell(v)),
      ['-', '-', '-', '-', 'a,b', '{"a":1}', 'false', '3'],
    );
  });

  it('pads table columns to the widest cell, the last one unpadded', () => {
    const text = table(
      [
        { id: 'a', name: 'Alpha', scope: 'x y' },
        { id: 'bbbb', scope: 'z' },
      ],
      [
        ['id', 'ID'],
        ['name', 'NAME'],
        ['scope', 'SCOPE'],
      ],
    );
    assert.equal(text, 'ID    NAME   SCOPE\na     Alpha  x y\nbbbb  -      z\n');
  });

  it('says (none) for an empty table and flattens line breaks in cells', () => {
    assert.equal(table([], [['id', 'ID']]), '(none)\n');
    assert.equal(table([{ id: 'a\nb' }], [['id', 'ID']]), 'ID\na b\n');
  });

  it('lines up fields and leaves out undefined ones', () => {
    assert.equal(fields([['client_id', 'c'], ['client_secret', undefined], ['scope', 'a b']]), 'client_id  c\nscope      a b\n');
  });

  it('masks tokens to their first characters and length', () => {
    assert.equal(maskToken('eyJhbGciOiJFUzI1NiJ9.payload.signature'), 'eyJhbG…(38 chars)');
    assert.equal(maskToken('short'), '…(5 chars)');
  });
});
