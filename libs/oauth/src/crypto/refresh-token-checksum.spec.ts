import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateOpaqueToken, isOpaqueTokenShaped } from './opaque-token.js';
import { mayBeIssuedRefreshToken, RefreshTokenChecksum } from './refresh-token-checksum.js';

describe('RefreshTokenChecksum', () => {
  const checksum = new RefreshTokenChecksum(RefreshTokenChecksum.generateKey());

  it('issues 43-character tokens of 32 bytes that carry its checksum, never the same twice', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const token = checksum.issue();
      assert.equal(isOpaqueTokenShaped(token, 32), true);
      assert.equal(checksum.carries(token), true);
      seen.add(token);
    }
    assert.equal(seen.size, 2000);
  });

  it('refuses random text of the same shape, another key\'s tokens, and any changed character', () => {
    let passed = 0;
    for (let i = 0; i < 5000; i++) if (checksum.carries(generateOpaqueToken(32))) passed++;
    assert.equal(passed, 0, 'a random 43-character text passes with probability 2^-64');
    const other = new RefreshTokenChecksum(RefreshTokenChecksum.generateKey());
    assert.equal(checksum.carries(other.issue()), false);
    const token = checksum.issue();
    for (const at of [0, 10, 31, 35, 41]) {
      const changed = `${token.slice(0, at)}${token[at] === 'A' ? 'B' : 'A'}${token.slice(at + 1)}`;
      assert.equal(checksum.carries(changed), false, `character ${at}`);
    }
  });

  it('refuses other shapes without throwing', () => {
    for (const text of ['', 'x', `${checksum.issue()}A`, checksum.issue().slice(1), 'é'.repeat(43), `${'A'.repeat(42)}.`]) {
      assert.equal(checksum.carries(text), false, JSON.stringify(text));
    }
  });

  it('wants a 32-byte key', () => {
    assert.throws(() => new RefreshTokenChecksum(Buffer.alloc(16)), /32 bytes/);
  });
});

describe('mayBeIssuedRefreshToken', () => {
  const checksum = new RefreshTokenChecksum(RefreshTokenChecksum.generateKey());
  const legacy = generateOpaqueToken(32);
  const now = Date.parse('2026-12-07T12:00:00Z');
  const rows: Array<[string, string, number | null, boolean]> = [
    ['a token with the checksum, no legacy tokens', checksum.issue(), null, true],
    ['a token without it, no legacy tokens', legacy, null, false],
    ['a token without it while legacy tokens may be in force', legacy, now + 1000, true],
    ['a token without it once the last legacy token expired', legacy, now - 1, false],
    ['a token with the checksum while legacy tokens may be in force', checksum.issue(), now + 1000, true],
    ['text of another shape while legacy tokens may be in force', 'not-a-token', now + 1000, false],
  ];
  for (const [name, token, legacyUntil, expected] of rows) {
    it(name, () => assert.equal(mayBeIssuedRefreshToken(token, checksum, legacyUntil, now), expected));
  }
});
