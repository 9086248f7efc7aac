import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateOpaqueToken, isOpaqueTokenShaped, secretMatchesHash, sha256Hex, uniqueId } from './opaque-token.js';

describe('uniqueId', () => {
  it('gives base64url identifiers of the asked size, never the same twice across many pool refills', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const id = uniqueId(16);
      assert.match(id, /^[A-Za-z0-9_-]{22}$/);
      assert.equal(Buffer.from(id, 'base64url').length, 16);
      seen.add(id);
    }
    assert.equal(seen.size, 5000);
    assert.equal(Buffer.from(uniqueId(10), 'base64url').length, 10);
    assert.equal(Buffer.from(uniqueId(5000), 'base64url').length, 5000);
  });
});

describe('opaque secrets', () => {
  it('match their SHA-256 hash and nothing else', () => {
    const secret = generateOpaqueToken(32);
    assert.equal(Buffer.from(secret, 'base64url').length, 32);
    assert.equal(secretMatchesHash(secret, sha256Hex(secret)), true);
    assert.equal(secretMatchesHash(`${secret}x`, sha256Hex(secret)), false);
    assert.equal(secretMatchesHash(secret, 'abc'), false);
  });
});

describe('isOpaqueTokenShaped', () => {
  it('accepts what generateOpaqueToken makes, of any size', () => {
    for (const bytes of [16, 24, 32, 33, 34]) {
      for (let i = 0; i < 200; i++) assert.equal(isOpaqueTokenShaped(generateOpaqueToken(bytes), bytes), true, `${bytes} bytes`);
    }
  });
  it('refuses other lengths, other characters and non-canonical last characters', () => {
    const token = generateOpaqueToken();
    assert.equal(isOpaqueTokenShaped(token.slice(1)), false);
    assert.equal(isOpaqueTokenShaped(`${token}A`), false);
    assert.equal(isOpaqueTokenShaped(`${token.slice(0, 42)}.`), false);
    assert.equal(isOpaqueTokenShaped(`${token.slice(0, 42)}B`), false); // 32 bytes end in 4 bits + 2 zero bits
    assert.equal(isOpaqueTokenShaped(`${token.slice(0, 42)}8`), true);
    assert.equal(isOpaqueTokenShaped(`${'a'.repeat(21)}B`, 16), false); // 16 bytes end in 2 bits + 4 zero bits
    assert.equal(isOpaqueTokenShaped(`${'a'.repeat(21)}g`, 16), true);
  });
});
