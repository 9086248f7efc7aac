import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sharedSuite, type RunningSuite } from '#testing';
import { call, machineClient, tokenFor } from './support/http.js';

type Hostile = [string, string, RequestInit];

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const JSON_TYPE = { 'content-type': 'application/json' };

function nested(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}

const hostile: Hostile[] = [
  ['empty token body', '/token', { method: 'POST', headers: FORM, body: '' }],
  ['binary garbage', '/token', { method: 'POST', headers: FORM, body: Buffer.from([0, 255, 1, 254, 0, 10]) }],
  ['many parameters', '/token', { method: 'POST', headers: FORM, body: Array.from({ length: 5000 }, (_, i) => `p${i}=${i}`).join('&') }],
  ['long value', '/token', { method: 'POST', headers: FORM, body: `grant_type=${'x'.repeat(60_000)}` }],
  ['bad percent-encoding', '/token', { method: 'POST', headers: FORM, body: 'grant_type=%zz&scope=%' }],
  ['Basic !!!', '/token', { method: 'POST', headers: { ...FORM, authorization: 'Basic !!!' }, body: 'grant_type=client_credentials' }],
  ['Basic without colon', '/token', { method: 'POST', headers: { ...FORM, authorization: `Basic ${Buffer.from('nocolon').toString('base64')}` }, body: 'grant_type=client_credentials' }],
  ['Basic with bad escapes', '/token', { method: 'POST', headers: { ...FORM, authorization: `Basic ${Buffer.from('%zz:%zz').toString('base64')}` }, body: 'grant_type=client_credentials' }],
  ['NUL bytes', '/token', { method: 'POST', headers: FORM, body: 'grant_type=client_credentials%00&scope=%00' }],
  ['unicode', '/token', { method: 'POST', headers: FORM, body: 'grant_type=✓&scope=患者' }],
  ['no content type', '/token', { method: 'POST', body: 'grant_type=client_credentials' }],
  ['PUT /token', '/token', { method: 'PUT', headers: FORM, body: 'grant_type=client_credentials' }],
  ['GET /token', '/token', {}],
  ['JSON array', '/register', { method: 'POST', headers: JSON_TYPE, body: '[]' }],
  ['JSON string', '/register', { method: 'POST', headers: JSON_TYPE, body: '"client"' }],
  ['JSON null', '/register', { method: 'POST', headers: JSON_TYPE, body: 'null' }],
  ['empty JSON body', '/register', { method: 'POST', headers: JSON_TYPE, body: '' }],
  ['deeply nested JSON', '/register', { method: 'POST', headers: JSON_TYPE, body: nested(5000) }],
  ['wrong types', '/register', { method: 'POST', headers: JSON_TYPE, body: '{"redirect_uris":"x","grant_types":{},"scope":5,"jwks":"y"}' }],
  ['prototype pollution', '/register', { method: 'POST', headers: JSON_TYPE, body: '{"__proto__":{"admin":true},"constructor":{"prototype":{}}}' }],
  ['introspect without token', '/introspect', { method: 'POST', headers: { ...FORM, authorization: 'Bearer x' }, body: '' }],
  ['introspect garbage auth', '/introspect', { method: 'POST', headers: { ...FORM, authorization: 'Digest abc' }, body: 'token=x' }],
  ['revoke without credentials', '/revoke', { method: 'POST', headers: FORM, body: 'token=x' }],
  ['revoke repeated token', '/revoke', { method: 'POST', headers: FORM, body: 'token=a&token=b&client_id=x' }],
  ['path traversal', '/register/..%2F..%2Fetc', { headers: { authorization: 'Bearer x' } }],
  ['very long client id', `/register/${'a'.repeat(3000)}`, { headers: { authorization: 'Bearer x' } }],
  ['unknown path', '/admin/../../etc/passwd', {}],
];

describe('hostile input', () => {
  let suite: RunningSuite & { owned: boolean };
  before(async () => (suite = await sharedSuite()));
  after(async () => suite.owned && (await suite.stop()));

  for (const [name, path, init] of hostile) {
    it(`answers ${name} with a spec-shaped error`, async () => {
      const reply = await call(suite, path, init);
      assert.ok(reply.status >= 400 && reply.status < 500, `${reply.status} ${reply.text.slice(0, 200)}`);
      assert.equal(typeof reply.json.error, 'string', reply.text.slice(0, 200));
    });
  }

  it('keeps serving afterwards', async () => {
    assert.equal((await call(suite, '/health/ready')).status, 200);
    const client = await machineClient(suite);
    assert.ok(await tokenFor(suite, client));
  });
});
