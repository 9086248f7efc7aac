import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { clearCookie, serializeCookie } from './cookies.js';

describe('serializeCookie', () => {
  it('is always HttpOnly, with path and SameSite', () => {
    assert.equal(serializeCookie('smart_session', 'abc_DEF-123', { path: '/', sameSite: 'Lax', secure: false }), 'smart_session=abc_DEF-123; Path=/; HttpOnly; SameSite=Lax');
  });

  it('adds Max-Age and Secure when asked', () => {
    assert.equal(
      serializeCookie('smart_logout', 'v', { path: '/logout', sameSite: 'Strict', secure: true, maxAge: 900 }),
      'smart_logout=v; Path=/logout; HttpOnly; SameSite=Strict; Max-Age=900; Secure',
    );
  });

  it('refuses names and values outside the safe alphabet (no header injection)', () => {
    const options = { path: '/', sameSite: 'Lax' as const, secure: false };
    for (const [name, value] of [
      ['a b', 'v'],
      ['a;b', 'v'],
      ['', 'v'],
      ['a', 'v; Path=/evil'],
      ['a', 'v\r\nSet-Cookie: x=y'],
      ['a', 'v,w'],
      ['a', 'é'],
    ]) {
      assert.throws(() => serializeCookie(name!, value!, options), /safe alphabet/, `${name}=${value}`);
    }
  });

  it('accepts an empty value', () => {
    assert.equal(serializeCookie('a', '', { path: '/', sameSite: 'Lax', secure: false }), 'a=; Path=/; HttpOnly; SameSite=Lax');
  });
});

describe('clearCookie', () => {
  it('expires the cookie at once on the same path', () => {
    assert.equal(clearCookie('smart_interaction', { path: '/interaction/abc', sameSite: 'Lax', secure: true }), 'smart_interaction=; Path=/interaction/abc; HttpOnly; SameSite=Lax; Max-Age=0; Secure');
  });
});
