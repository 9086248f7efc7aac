import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isPushedRequestUri, newRequestUri, REQUEST_URI_PREFIX, requestUriHash } from './request-uri.js';

describe('request_uri of a pushed request (RFC 9126 §2.2)', () => {
  it('is the URN prefix and 256 random bits, stored under a hash that is not the value', () => {
    const { requestUri, idHash } = newRequestUri();
    assert.match(requestUri, /^urn:ietf:params:oauth:request_uri:[A-Za-z0-9_-]{43}$/);
    assert.match(idHash, /^[0-9a-f]{64}$/);
    assert.equal(requestUriHash(requestUri), idHash);
    assert.equal(idHash.includes(requestUri.slice(REQUEST_URI_PREFIX.length)), false);
  });

  it('is new each time', () => {
    const seen = new Set(Array.from({ length: 50 }, () => newRequestUri().requestUri));
    assert.equal(seen.size, 50);
  });

  const notOurs: Array<[string, string]> = [
    ['another scheme (an OIDC request object by reference)', 'https://app.example/request.jwt'],
    ['the prefix alone', REQUEST_URI_PREFIX],
    ['a short random part', `${REQUEST_URI_PREFIX}abc`],
    ['a random part with other characters', `${REQUEST_URI_PREFIX}${'a'.repeat(42)}=`],
    ['a long random part', `${REQUEST_URI_PREFIX}${'a'.repeat(44)}`],
  ];
  for (const [what, value] of notOurs) {
    it(`has no hash when it cannot be ours: ${what}`, () => assert.equal(requestUriHash(value), null));
  }

  it('is recognised by its prefix, whatever follows', () => {
    assert.equal(isPushedRequestUri(`${REQUEST_URI_PREFIX}abc`), true);
    assert.equal(isPushedRequestUri('https://app.example/request.jwt'), false);
  });
});
