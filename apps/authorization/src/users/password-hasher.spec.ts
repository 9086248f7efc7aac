import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decoyHash, hashPassword, verifyPassword } from './password-hasher.js';

describe('password hashing (scrypt, RFC 7914)', () => {
  it('hash then verify: the right password matches, a wrong one does not', async () => {
    const stored = await hashPassword('correct horse battery staple');
    assert.match(stored, /^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    assert.equal(await verifyPassword('correct horse battery staple', stored), true);
    assert.equal(await verifyPassword('correct horse battery stapl', stored), false);
    assert.equal(await verifyPassword('', stored), false);
  });

  it('salts every hash', async () => {
    const [a, b] = await Promise.all([hashPassword('same password'), hashPassword('same password')]);
    assert.notEqual(a, b);
  });

  it('normalises Unicode (NFKC): composed and decomposed forms are the same password', async () => {
    const stored = await hashPassword('caf\u00e9-pass');
    assert.equal(await verifyPassword('cafe\u0301-pass', stored), true);
  });

  it('a malformed stored hash is simply not a match, never an exception', async () => {
    const good = await hashPassword('password-1');
    const [, n, r, p, salt, hash] = good.split('$');
    const malformed = [
      '',
      'plain-text-password',
      '$$$$$',
      `bcrypt$${n}$${r}$${p}$${salt}$${hash}`,
      `scrypt$${n}$${r}$${p}$${salt}`,
      `scrypt$${n}$${r}$${p}$${salt}$${hash}$extra`,
      `scrypt$1000$${r}$${p}$${salt}$${hash}`, // N not a power of two
      `scrypt$0$${r}$${p}$${salt}$${hash}`,
      `scrypt$abc$${r}$${p}$${salt}$${hash}`,
      `scrypt$-2$${r}$${p}$${salt}$${hash}`,
      `scrypt$1073741824$${r}$${p}$${salt}$${hash}`, // beyond the memory bound
      `scrypt$99999999999999999999$${r}$${p}$${salt}$${hash}`,
      `scrypt$${n}$0$${p}$${salt}$${hash}`,
      `scrypt$${n}$${r}$1000000$${salt}$${hash}`,
      `scrypt$${n}$${r}$${p}$$${hash}`,
      `scrypt$${n}$${r}$${p}$${salt}$`,
      `scrypt$${n}$${r}$${p}$${salt}$not*base64`,
      `scrypt$${n}$${r}$${p}$${salt}$${hash!.slice(0, 10)}`,
    ];
    for (const stored of malformed) {
      assert.equal(await verifyPassword('password-1', stored), false, stored);
    }
  });

  it('the decoy hash is a valid hash that no one knows the password of, computed once', async () => {
    const decoy = await decoyHash();
    assert.match(decoy, /^scrypt\$/);
    assert.equal(await decoyHash(), decoy);
    assert.equal(await verifyPassword('', decoy), false);
  });
});
