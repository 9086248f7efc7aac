import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { verificationText } from './audit.commands.js';

describe('audit verify report', () => {
  it('is one line for an intact chain', () => {
    assert.equal(verificationText({ valid: true, checked: 42 }), 'audit chain intact: 42 event(s) checked\n');
  });

  it('names the first bad row of a broken one', () => {
    const text = verificationText({
      valid: false,
      checked: 7,
      first_break: { seq: 5, event_id: 'e-5', problem: 'content_altered', expected_hash: 'aa', stored_hash: 'bb' },
    });
    assert.equal(
      text,
      'AUDIT CHAIN BROKEN after 7 event(s); first bad row:\nseq            5\nevent_id       e-5\nproblem        content_altered\nexpected_hash  aa\nstored_hash    bb\n',
    );
  });
});
