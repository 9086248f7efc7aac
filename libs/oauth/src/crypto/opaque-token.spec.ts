import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateOpaqueToken, secretMatchesHash, sha256Hex, uniqueId } from './opaque-token.js';

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
