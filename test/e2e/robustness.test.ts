import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import * as oidc from 'openid-client';
import { sharedSuite, type RunningSuite } from '#testing';
import { assertOAuthError, basicAuth, call, machineClient, manage, oidcConfig, tokenFor, type RegisteredClient, type Reply } from './support/http.js';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const JSON_TYPE = { 'content-type': 'application/json' };

interface Hostile {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

interface Context {
  client: RegisteredClient;
  /** A fresh client whose registration access token is still valid. */
  fresh(): Promise<RegisteredClient>;
}

/** Sends the request byte for byte (fetch would normalise the path and some headers). */
function raw(suite: RunningSuite, req: Hostile): Promise<Reply> {
  const url = new URL(suite.baseUrl);
  return new Promise((resolve, reject) => {
    const body = req.body === undefined ? undefined : Buffer.isBuffer(req.body) ? req.body : Buffer.from(req.body, 'utf8');
    const outgoing = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method: req.method,
        path: req.path,
        headers: { ...(body ? { 'content-length': String(body.length) } : {}), ...req.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: Record<string, unknown> = {};
          try {
            json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
          } catch {
            json = {};
          }
          const headers = new Headers();
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
          resolve({ status: res.statusCode ?? 0, headers, text, json });
        });
        res.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    if (body) outgoing.write(body);
    outgoing.end();
  });
}

function nested(depth: number): string {
  return '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

const manyParams = (n: number) => Array.from({ length: n }, (_, i) => `p${i}=${i}`).join('&');
const basic = (raw: string) => `Basic ${Buffer.from(raw, 'utf8').toString('base64')}`;

const hostile: Array<[string, (ctx: Context) => Hostile | Promise<Hostile>]> = [
  // /token
  ['empty body at /token', () => ({ method: 'POST', path: '/token', headers: FORM, body: '' })],
  ['binary garbage as a form', () => ({ method: 'POST', path: '/token', headers: FORM, body: Buffer.from([0, 255, 1, 254, 0, 10, 0xc3, 0x28, 0xf0, 0x90]) })],
  ['10,000 parameters', () => ({ method: 'POST', path: '/token', headers: FORM, body: `grant_type=client_credentials&${manyParams(10_000)}` })],
  ['a 60,000-character grant_type', () => ({ method: 'POST', path: '/token', headers: FORM, body: `grant_type=${'x'.repeat(60_000)}` })],
  ['a 60,000-character scope', (ctx) => ({ method: 'POST', path: '/token', headers: { ...FORM, authorization: basicAuth(ctx.client.client_id, ctx.client.client_secret!) }, body: `grant_type=client_credentials&scope=${'system/Patient.rs%20'.repeat(3000)}` })],
  ['invalid percent-encoding', () => ({ method: 'POST', path: '/token', headers: FORM, body: 'grant_type=%zz&scope=%' })],
  ['Authorization: Basic !!!', () => ({ method: 'POST', path: '/token', headers: { ...FORM, authorization: 'Basic !!!' }, body: 'grant_type=client_credentials' })],
  ['Basic without a colon', () => ({ method: 'POST', path: '/token', headers: { ...FORM, authorization: basic('nocolon') }, body: 'grant_type=client_credentials' })],
  ['Basic with bad escapes', () => ({ method: 'POST', path: '/token', headers: { ...FORM, authorization: basic('%zz:%zz') }, body: 'grant_type=client_credentials' })],
  ['Basic with an empty id', () => ({ method: 'POST', path: '/token', headers: { ...FORM, authorization: basic(':secret') }, body: 'grant_type=client_credentials' })],
  ['Basic with a 4,000-character id', () => ({ method: 'POST', path: '/token', headers: { ...FORM, authorization: basic(`${'a'.repeat(4000)}:x`) }, body: 'grant_type=client_credentials' })],
  ['encoded NUL bytes', () => ({ method: 'POST', path: '/token', headers: FORM, body: 'grant_type=client_credentials%00&scope=%00&client_id=%00' })],
  ['raw NUL bytes', () => ({ method: 'POST', path: '/token', headers: FORM, body: Buffer.from('grant_type=client\u0000credentials&client_id=\u0000', 'utf8') })],
  ['unicode values', () => ({ method: 'POST', path: '/token', headers: FORM, body: 'grant_type=%E2%9C%93&scope=%E6%82%A3%E8%80%85&client_id=%F0%9F%98%80' })],
  ['lone surrogates', () => ({ method: 'POST', path: '/token', headers: FORM, body: 'grant_type=client_credentials&client_id=%ED%A0%80&client_secret=%ED%BF%BF' })],
  ['Object.prototype names as parameters', () => ({ method: 'POST', path: '/token', headers: FORM, body: '__proto__=x&constructor=y&toString=z&hasOwnProperty=w&grant_type=client_credentials' })],
  ['no content type', () => ({ method: 'POST', path: '/token', body: 'grant_type=client_credentials' })],
  ['a form in UTF-16', () => ({ method: 'POST', path: '/token', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-16' }, body: Buffer.from('grant_type=client_credentials', 'utf16le') })],
  ['a huge Bearer token', () => ({ method: 'POST', path: '/token', headers: { ...FORM, authorization: `Bearer ${'x'.repeat(8000)}` }, body: 'grant_type=client_credentials' })],
  ['PUT /token', () => ({ method: 'PUT', path: '/token', headers: FORM, body: 'grant_type=client_credentials' })],
  ['GET /token', () => ({ method: 'GET', path: '/token' })],
  ['DELETE /token', () => ({ method: 'DELETE', path: '/token' })],
  // /register
  ['a JSON array', () => ({ method: 'POST', path: '/register', headers: JSON_TYPE, body: '[]' })],
  ['a JSON string', () => ({ method: 'POST', path: '/register', headers: JSON_TYPE, body: '"client"' })],
  ['JSON null', () => ({ method: 'POST', path: '/register', headers: JSON_TYPE, body: 'null' })],
  ['a JSON number', () => ({ method: 'POST', path: '/register', headers: JSON_TYPE, body: '1e999' })],
  ['an empty JSON body', () => ({ method: 'POST', path: '/register', headers: JSON_TYPE, body: '' })],
  ['deeply nested JSON', () => ({ method: 'POST', path: '/register', headers: JSON_TYPE, body: nested(5000) })],
  ['deeply nested arrays', () => ({ method: 'POST', path: '/register', headers: JSON_TYPE, body: '['.repeat(5000) + ']'.repeat(5000) })],
  ['wrongly typed members', () => ({ method: 'POST', path: '/register', headers: JSON_TYPE, body: '{"redirect_uris":"x","grant_types":{},"scope":5,"jwks":"y","client_name":[1],"token_endpoint_auth_method":null}' })],
  ['prototype pollution', () => ({ method: 'POST', path: '/register', headers: JSON_TYPE, body: '{"__proto__":{"admin":true},"constructor":{"prototype":{"scope":"admin"}},"grant_types":["client_credentials"],"scope":"admin"}' })],
  ['NUL and unicode in metadata', () => ({ method: 'POST', path: '/register', headers: JSON_TYPE, body: JSON.stringify({ client_name: 'a\u0000b\ud800', redirect_uris: ['https://a.example/\u0000', 'https://\u2603.example/cb'], scope: 'openid' }) })],
  ['an invalid jwks', () => ({ method: 'POST', path: '/register', headers: JSON_TYPE, body: JSON.stringify({ token_endpoint_auth_method: 'private_key_jwt', grant_types: ['client_credentials'], scope: 'system/*.rs', jwks: { keys: [{ kty: 'EC', crv: 'P-384', x: '!!', y: '??', kid: 1 }, null, 'key'] } }) })],
  ['2,000 redirect_uris', () => ({ method: 'POST', path: '/register', headers: JSON_TYPE, body: JSON.stringify({ redirect_uris: Array.from({ length: 2000 }, (_, i) => `https://a.example/${i}`), scope: 'openid' }) })],
  ['a form at /register', () => ({ method: 'POST', path: '/register', headers: FORM, body: 'client_name=x&scope=openid' })],
  ['GET /register', () => ({ method: 'GET', path: '/register' })],
  // /introspect
  ['introspect without a token', () => ({ method: 'POST', path: '/introspect', headers: { ...FORM, authorization: 'Bearer x' }, body: '' })],
  ['introspect with Digest auth', () => ({ method: 'POST', path: '/introspect', headers: { ...FORM, authorization: 'Digest abc' }, body: 'token=x' })],
  ['introspect with Basic !!!', () => ({ method: 'POST', path: '/introspect', headers: { ...FORM, authorization: 'Basic !!!' }, body: 'token=x' })],
  ['introspect with binary garbage', (ctx) => ({ method: 'POST', path: '/introspect', headers: { ...FORM, authorization: basicAuth(ctx.client.client_id, ctx.client.client_secret!) }, body: Buffer.from([0, 255, 0x3d, 0x26, 0xfe]) })],
  ['introspect with 10,000 parameters', (ctx) => ({ method: 'POST', path: '/introspect', headers: { ...FORM, authorization: basicAuth(ctx.client.client_id, ctx.client.client_secret!) }, body: `token=x&${manyParams(10_000)}` })],
  ['introspect a 60,000-character token', (ctx) => ({ method: 'POST', path: '/introspect', headers: { ...FORM, authorization: basicAuth(ctx.client.client_id, ctx.client.client_secret!) }, body: `token=${'a.'.repeat(30_000)}` })],
  ['introspect with JSON', (ctx) => ({ method: 'POST', path: '/introspect', headers: { ...JSON_TYPE, authorization: basicAuth(ctx.client.client_id, ctx.client.client_secret!) }, body: '{"token":"x"}' })],
  ['GET /introspect', () => ({ method: 'GET', path: '/introspect?token=x' })],
  // /revoke
  ['revoke without credentials', () => ({ method: 'POST', path: '/revoke', headers: FORM, body: 'token=x' })],
  ['revoke with a repeated token', () => ({ method: 'POST', path: '/revoke', headers: FORM, body: 'token=a&token=b&client_id=x' })],
  ['revoke with invalid percent-encoding', (ctx) => ({ method: 'POST', path: '/revoke', headers: { ...FORM, authorization: basicAuth(ctx.client.client_id, ctx.client.client_secret!) }, body: 'token=%zz%' })],
  ['revoke with a huge token', (ctx) => ({ method: 'POST', path: '/revoke', headers: { ...FORM, authorization: basicAuth(ctx.client.client_id, ctx.client.client_secret!) }, body: `token=${'x'.repeat(60_000)}&token_type_hint=%00` })],
  ['revoke with JSON', (ctx) => ({ method: 'POST', path: '/revoke', headers: { ...JSON_TYPE, authorization: basicAuth(ctx.client.client_id, ctx.client.client_secret!) }, body: '{"token":"x"}' })],
  // /register/:id
  ['path traversal', () => ({ method: 'GET', path: '/register/..%2F..%2Fetc%2Fpasswd', headers: { authorization: 'Bearer x' } })],
  ['raw dot segments', () => ({ method: 'GET', path: '/register/../../etc/passwd', headers: { authorization: 'Bearer x' } })],
  ['an encoded NUL in the client id', () => ({ method: 'GET', path: '/register/a%00b', headers: { authorization: 'Bearer x' } })],
  ['bad percent-encoding in the path', () => ({ method: 'GET', path: '/register/%zz', headers: { authorization: 'Bearer x' } })],
  ['a 3,000-character client id', () => ({ method: 'GET', path: `/register/${'a'.repeat(3000)}`, headers: { authorization: 'Bearer x' } })],
  ['a 10,000-character registration access token', (ctx) => ({ method: 'GET', path: `/register/${ctx.client.client_id}`, headers: { authorization: `Bearer ${'x'.repeat(10_000)}` } })],
  ['Basic on a management call', (ctx) => ({ method: 'DELETE', path: `/register/${ctx.client.client_id}`, headers: { authorization: basicAuth(ctx.client.client_id, ctx.client.client_secret!) } })],
  ['PUT with a JSON array', async (ctx) => {
    const c = await ctx.fresh();
    return { method: 'PUT', path: `/register/${c.client_id}`, headers: { ...JSON_TYPE, authorization: `Bearer ${c.registration_access_token}` }, body: '[]' };
  }],
  ['PUT with deeply nested JSON', async (ctx) => {
    const c = await ctx.fresh();
    return { method: 'PUT', path: `/register/${c.client_id}`, headers: { ...JSON_TYPE, authorization: `Bearer ${c.registration_access_token}` }, body: nested(5000) };
  }],
  ['PUT with text/plain', async (ctx) => {
    const c = await ctx.fresh();
    return { method: 'PUT', path: `/register/${c.client_id}`, headers: { 'content-type': 'text/plain', authorization: `Bearer ${c.registration_access_token}` }, body: 'x' };
  }],
  ['PUT with an admin scope', async (ctx) => {
    const c = await ctx.fresh();
    return {
      method: 'PUT',
      path: `/register/${c.client_id}`,
      headers: { ...JSON_TYPE, authorization: `Bearer ${c.registration_access_token}` },
      body: JSON.stringify({ client_id: c.client_id, grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic', scope: 'admin introspect' }),
    };
  }],
  ['POST /register/:id', (ctx) => ({ method: 'POST', path: `/register/${ctx.client.client_id}`, headers: JSON_TYPE, body: '{}' })],
  // elsewhere
  ['an unknown path', () => ({ method: 'GET', path: '/admin/../../etc/passwd' })],
  ['a double slash', () => ({ method: 'POST', path: '//token', headers: FORM, body: 'grant_type=client_credentials' })],
  ['an absurd method', () => ({ method: 'PROPFIND', path: '/token' })],
];

describe('hostile input', () => {
  let suite: RunningSuite & { owned: boolean };
  let ctx: Context;
  before(async () => {
    suite = await sharedSuite();
    const client = await machineClient(suite, 'system/Patient.rs');
    ctx = { client, fresh: () => machineClient(suite, 'system/Patient.rs') };
  });
  after(async () => {
    if (suite.owned) await suite.stop();
  });

  for (const [name, build] of hostile) {
    it(`answers ${name} without a 5xx, with a JSON error`, async (t) => {
      const req = await build(ctx);
      const reply = await raw(suite, req);
      const context = `${req.method} ${req.path.slice(0, 80)} → ${reply.status} ${reply.text.slice(0, 300)}`;
      t.diagnostic(`${reply.status} ${String(reply.json.error ?? reply.text.slice(0, 40))}`);
      assert.ok(reply.status >= 200 && reply.status < 500, context);
      if (reply.status === 200 || reply.status === 204) return;
      assert.ok(reply.status >= 400, context);
      assert.match(reply.headers.get('content-type') ?? '', /^application\/json/, context);
      assert.ok(typeof reply.json.error === 'string' && reply.json.error.length > 0, context);
    });
  }

  it('refuses an admin scope smuggled in through a PUT', async () => {
    const c = await machineClient(suite, 'system/Patient.rs');
    const put = await manage(suite, c.client_id, 'PUT', c.registration_access_token, { client_id: c.client_id, grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic', scope: 'admin introspect' });
    assertOAuthError(put, 400, 'invalid_client_metadata');
    const token = await call(suite, '/token', { method: 'POST', headers: { ...FORM, authorization: basicAuth(c.client_id, c.client_secret!) }, body: 'grant_type=client_credentials&scope=admin' });
    assertOAuthError(token, 400, 'invalid_scope');
  });

  it('survives a burst of hostile requests in parallel', async () => {
    const burst = await Promise.all(
      Array.from({ length: 60 }, async (_, i) => {
        const req = await hostile[i % 22]![1](ctx);
        return raw(suite, req);
      }),
    );
    for (const reply of burst) assert.ok(reply.status < 500, `${reply.status} ${reply.text.slice(0, 200)}`);
  });

  it('keeps serving afterwards', async () => {
    const ready = await call(suite, '/health/ready');
    assert.equal(ready.status, 200, ready.text);
    const client = await machineClient(suite);
    assert.ok(await tokenFor(suite, client));
    const config = await oidcConfig(suite, client.client_id, oidc.ClientSecretBasic(client.client_secret!));
    const tokens = await oidc.clientCredentialsGrant(config, { scope: 'system/Patient.rs' });
    assert.equal(tokens.scope, 'system/Patient.rs');
  });
});
