import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyRequest } from 'fastify';
import { webRequestOf } from './web-forwarding.js';

function request(url: string, extra: { method?: string; headers?: Record<string, string>; body?: unknown } = {}): FastifyRequest {
  return { url, method: extra.method ?? 'GET', headers: extra.headers ?? {}, body: extra.body, ip: '192.0.2.1', id: 'req-1' } as unknown as FastifyRequest;
}

/** What the authorization service receives: the request after its trip over NATS as JSON. */
function overTheBus(req: FastifyRequest): Record<string, unknown> {
  return JSON.parse(JSON.stringify(webRequestOf(req))) as Record<string, unknown>;
}

describe('webRequestOf (authorization.v1.web)', () => {
  it('repeated query parameters become arrays, single ones strings', () => {
    const r = overTheBus(request('/authorize?scope=a&scope=b&state=s&e='));
    assert.deepEqual(r.query, { scope: ['a', 'b'], state: 's', e: '' });
    assert.equal(r.path, '/authorize');
    assert.equal(r.remoteAddress, '192.0.2.1');
  });

  it('parameter names that collide with Object.prototype arrive as plain strings', () => {
    const r = overTheBus(request('/authorize?constructor=1&toString=2&toString=3&__proto__=4&hasOwnProperty=5'));
    assert.deepEqual(r.query, JSON.parse('{"constructor":"1","toString":["2","3"],"__proto__":"4","hasOwnProperty":"5"}'));
  });

  it('form fields likewise', () => {
    const r = overTheBus(request('/authorize', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'constructor=x&valueOf=y&client_id=c' }));
    assert.deepEqual(r.form, { constructor: 'x', valueOf: 'y', client_id: 'c' });
  });

  it('cookies: the first of a name wins, odd names are dropped, prototype names are cookies like others', () => {
    const r = overTheBus(request('/interaction/x', { headers: { cookie: 'a=1; a=2; bad name=3; constructor=4; =5; smart_session=abc' } }));
    assert.deepEqual(r.cookies, { a: '1', constructor: '4', smart_session: 'abc' });
  });

  it('refuses a body that is neither form nor JSON', () => {
    assert.throws(() => webRequestOf(request('/authorize', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' })), /the body must be/);
    assert.throws(() => webRequestOf(request('/authorize', { method: 'POST', body: 'client_id=x' })), /the body must be/);
  });
});
