import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openerFor } from './browser-opener.js';
import { privateJwkOf } from './client-key.js';
import { UsageError } from './usage-error.js';

describe('private key files', () => {
  const ec = { kty: 'EC', crv: 'P-384', x: 'x', y: 'y', d: 'd', kid: 'k1' };

  it('takes a JWK, inferring an EC key’s alg from its curve', () => {
    assert.deepEqual(privateJwkOf(JSON.stringify(ec), 'f'), { ...ec, alg: 'ES384' });
  });

  it('takes the first private key of a JWK Set', () => {
    const set = { keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }, { kty: 'RSA', n: 'n', e: 'AQAB', d: 'd', alg: 'RS384', kid: 'rsa' }] };
    assert.equal(privateJwkOf(JSON.stringify(set), 'f').kid, 'rsa');
  });

  const refused: Array<[string, string, RegExp]> = [
    ['text that is not JSON', 'BEGIN PRIVATE KEY', /not JSON/],
    ['a public key', JSON.stringify({ kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }), /no private key/],
    ['an RSA key without alg', JSON.stringify({ kty: 'RSA', n: 'n', e: 'AQAB', d: 'd' }), /needs an "alg"/],
  ];
  for (const [name, text, message] of refused) {
    it(`refuses ${name}`, () => assert.throws(() => privateJwkOf(text, 'f'), (err: unknown) => err instanceof UsageError && message.test(err.message)));
  }
});

describe('the system browser', () => {
  it('is opened with open, start or xdg-open', () => {
    assert.deepEqual(openerFor('darwin', 'http://a/?x=1&y=2'), ['open', ['http://a/?x=1&y=2']]);
    assert.deepEqual(openerFor('linux', 'http://a/'), ['xdg-open', ['http://a/']]);
    assert.deepEqual(openerFor('win32', 'http://a/?x=1&y=2'), ['cmd', ['/c', 'start', '""', 'http://a/?x=1^&y=2']]);
  });
});
