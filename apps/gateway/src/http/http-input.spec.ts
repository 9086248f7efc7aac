import type { FastifyRequest } from 'fastify';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bearerToken, extractClientAuth } from './client-credentials.extractor.js';
import { parseForm } from './form-body.js';
import { forbiddenInput } from './input-characters.js';
import { jsonDepth } from './json-body.js';

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

describe('parseForm', () => {
  it('parses parameters and drops empty ones (RFC 6749 §3.1)', () => {
    assert.deepEqual(parseForm('grant_type=client_credentials&scope=&x=a+b%20c'), { grant_type: 'client_credentials', x: 'a b c' });
  });
  it('refuses repeated parameters (RFC 6749 §3.2)', () => {
    assert.throws(() => parseForm('a=1&a=2'), { error: 'invalid_request' });
    assert.throws(() => parseForm('a=1&a%3D=x&%61=2'), { error: 'invalid_request' });
  });
  it('decodes exactly as URLSearchParams does (URL Standard §5.1), long plain tokens included', () => {
    const pieces = ['a', 'token', '', '=', '==', '+', 'a+b', '%20', '%2B', '%', '%4', '%zz', '%41%', '%e2%82%ac', '%E2%82', '%ff', '%C3%A9t%C3%A9', '%00', 'é', '€uro', '\ud83d\ude00', 'x'.repeat(60_000)];
    const inputs = [
      '', '&', '&&a=1&&', '=', '=x', 'a', 'a=', 'a==b', 'a=b=c', 'redirect_uri=https%3A%2F%2Fapp.example%2Fcb%3Fx%3D1%26y%3D2',
      'token=\ud800', 'x=\udc00y', 'n%00=v',
    ];
    // Every pair of pieces as a name and a value, and a few whole bodies.
    for (const name of pieces) for (const value of pieces) inputs.push(`${name}=${value}`, `${name}=${value}&z=${name}`);
    for (const input of inputs) {
      const body = JSON.parse(`"${input.replace(/"/g, '\\"')}"`) as string;
      const expected: Record<string, string> = {};
      let repeated = false;
      for (const [k, v] of new URLSearchParams(body)) {
        if (v === '') continue;
        if (Object.prototype.hasOwnProperty.call(expected, k)) repeated = true;
        expected[k] = v;
      }
      if (repeated) assert.throws(() => parseForm(body), { error: 'invalid_request' }, body.slice(0, 80));
      else assert.deepEqual({ ...parseForm(body) }, expected, body.slice(0, 80));
    }
  });
});

describe('extractClientAuth', () => {
  const cases: Array<[string, string | undefined, Record<string, string>, string]> = [
    ['Basic', basic('app', 's3cret'), { grant_type: 'x' }, 'client_secret_basic'],
    ['Basic with form-encoded parts', basic('my%20app', 'a%3Ab'), {}, 'client_secret_basic'],
    ['post', undefined, { client_id: 'app', client_secret: 's' }, 'client_secret_post'],
    ['assertion', undefined, { client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: 'j.w.t' }, 'private_key_jwt'],
    ['public', undefined, { client_id: 'app' }, 'none'],
    ['nothing', undefined, {}, 'absent'],
  ];
  for (const [name, header, form, method] of cases) {
    it(`recognises ${name}`, () => {
      const { auth, params } = extractClientAuth(header, form);
      assert.equal(auth.method, method);
      for (const p of ['client_id', 'client_secret', 'client_assertion', 'client_assertion_type']) assert.equal(params[p], undefined);
    });
  }
  it('decodes form-encoded Basic credentials (RFC 6749 §2.3.1)', () => {
    const { auth } = extractClientAuth(basic('my%20app', 'a%3Ab'), {});
    assert.deepEqual(auth, { method: 'client_secret_basic', clientId: 'my app', clientSecret: 'a:b' });
  });
  const failures: Array<[string, string | undefined, Record<string, string>, string, number]> = [
    ['two methods', basic('a', 'b'), { client_secret: 'c', client_id: 'a' }, 'invalid_request', 400],
    ['Basic without colon', `Basic ${Buffer.from('abc').toString('base64')}`, {}, 'invalid_client', 401],
    ['Basic not base64', 'Basic !!!', {}, 'invalid_client', 401],
    ['Basic with bad escapes', basic('%zz', 'x'), {}, 'invalid_client', 401],
    ['client_id disagreeing with Basic', basic('a', 'b'), { client_id: 'other' }, 'invalid_request', 400],
    ['unknown assertion type', undefined, { client_assertion_type: 'nope', client_assertion: 'x' }, 'invalid_client', 400],
    ['assertion type without assertion', undefined, { client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer' }, 'invalid_request', 400],
    ['secret without client_id', undefined, { client_secret: 's' }, 'invalid_request', 400],
  ];
  for (const [name, header, form, error, status] of failures) {
    it(`refuses ${name}`, () => assert.throws(() => extractClientAuth(header, form), { error, status }));
  }
});

describe('bearerToken', () => {
  it('reads RFC 6750 §2.1 bearer tokens only', () => {
    assert.equal(bearerToken('Bearer abc'), 'abc');
    assert.equal(bearerToken('bearer abc'), 'abc');
    assert.equal(bearerToken('Bearer '), undefined);
    assert.equal(bearerToken('Basic abc'), undefined);
    assert.equal(bearerToken(undefined), undefined);
  });
});

describe('jsonDepth', () => {
  const cases: Array<[string, number]> = [['{}', 1], ['{"a":[{"b":1}]}', 3], ['"[[[["', 0], ['{"a":"\\"[["}', 1], ['[[[]]]', 3]];
  for (const [text, depth] of cases) it(`${text} has depth ${depth}`, () => assert.equal(jsonDepth(text), depth));
});

describe('forbiddenInput (issue #14)', () => {
  const req = (url: string, body?: string, type = 'application/x-www-form-urlencoded') => ({ url, body, headers: { 'content-type': type } }) as unknown as FastifyRequest;
  const cases: Array<[string, FastifyRequest, string | undefined]> = [
    ['a clean form', req('/token', 'grant_type=client_credentials&scope=a+b'), undefined],
    ['NUL in a form value', req('/token', 'grant_type=client_credentials&scope=a%00b'), 'the scope parameter'],
    ['a raw control byte in a form', req('/token', 'grant_type=client\u0001credentials'), 'the grant_type parameter'],
    ['DEL in a parameter name', req('/token', 'x%7F=1'), 'a parameter name in the form body'],
    ['LF in the query', req('/admin/audit?type=a%0Ab'), 'the type parameter'],
    ['NUL in a path segment', req('/register/a%00b'), 'the path'],
    ['a form that is not one: not read as a form', req('/register', 'a%00', 'application/json'), undefined],
    ['/admin/apps: line breaks in the multi-line fields are content', req('/admin/apps/new', 'csrf=x&client_name=App&redirect_uris=https%3A%2F%2Fa.example%2Fcb%0D%0Ahttps%3A%2F%2Fb.example%2Fcb&contacts=a%40b.example%0Ac%40d.example&public_key=-----BEGIN%0A%09abc%0D%0A-----END'), undefined],
    ['/admin/apps: a line break in the name is refused', req('/admin/apps/new', 'csrf=x&client_name=App%0AEvil&redirect_uris=https%3A%2F%2Fa.example%2Fcb%0D%0A'), 'the client_name parameter'],
    ['/admin/apps: a tab in the scope is refused', req('/admin/apps/app-1/edit', 'scope=openid%09launch'), 'the scope parameter'],
    ['/admin/apps: other control characters in a multi-line field are refused', req('/admin/apps/new', 'redirect_uris=https%3A%2F%2Fa.example%2Fcb%00'), 'the redirect_uris parameter'],
    ['/authorize: left to the authorization service (RFC 6749 §4.1.2.1)', req('/authorize?state=x%00y', 'state=x%00y'), undefined],
  ];
  for (const [name, request, expected] of cases) it(name, () => assert.equal(forbiddenInput(request), expected));
});
