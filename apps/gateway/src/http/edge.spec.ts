import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HttpException } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { InvalidGrant } from '#oauth';
import { EdgePolicy } from './edge-policy.js';
import { toOAuthError } from './oauth-error.filter.js';
import { formOf, jsonOf } from './request-input.js';

const request = (contentType: string | undefined, body: unknown) =>
  ({ headers: contentType ? { 'content-type': contentType } : {}, body }) as unknown as FastifyRequest;

describe('toOAuthError', () => {
  const fastifyError = (statusCode: number, code: string, message = 'x') => Object.assign(new Error(message), { statusCode, code });
  const cases: Array<[string, unknown, string, [string, number, string | undefined]]> = [
    ['an OAuth error as is', new InvalidGrant('bad code'), '/token', ['invalid_grant', 400, 'bad code']],
    ['body too large (RFC 9110 §15.5.14)', fastifyError(413, 'FST_ERR_CTP_BODY_TOO_LARGE'), '/token', ['invalid_request', 413, 'request body too large']],
    ['body too large, wrapped by Nest', new HttpException('too large', 413, { cause: fastifyError(413, 'FST_ERR_CTP_BODY_TOO_LARGE') }), '/register', ['invalid_request', 413, 'request body too large']],
    ['unsupported media type at /token', fastifyError(415, 'FST_ERR_CTP_INVALID_MEDIA_TYPE'), '/token', ['invalid_request', 400, 'the request body must be application/x-www-form-urlencoded']],
    ['unsupported media type at /register', new HttpException('Unsupported Media Type', 415), '/register', ['invalid_request', 400, 'the request body must be application/json']],
    ['unsupported media type at /register/:id', fastifyError(415, 'FST_ERR_CTP_INVALID_MEDIA_TYPE'), '/register/abc', ['invalid_request', 400, 'the request body must be application/json']],
    ['a malformed URL, without echoing it', fastifyError(400, 'FST_ERR_BAD_URL', "'/%zz' is not a valid url component"), '', ['invalid_request', 400, 'malformed URL']],
    ['an unknown route', new HttpException('Cannot GET /x', 404), '/x', ['not_found', 404, 'not found']],
  ];
  for (const [name, error, path, [code, status, description]] of cases) {
    it(`renders ${name}`, () => {
      const oauth = toOAuthError(error, path);
      assert.deepEqual([oauth.error, oauth.status, oauth.description], [code, status, description]);
    });
  }
  it('never shows the detail of an unexpected failure', () => {
    const oauth = toOAuthError(new Error('database password is hunter2'));
    assert.equal(oauth.error, 'server_error');
    assert.equal(oauth.status, 500);
    assert.doesNotMatch(JSON.stringify(oauth.toBody()), /hunter2/);
  });
});

describe('formOf', () => {
  const accepted: Array<[string, string | undefined, string, Record<string, string>]> = [
    ['a plain form', 'application/x-www-form-urlencoded', 'grant_type=client_credentials', { grant_type: 'client_credentials' }],
    ['a charset parameter', 'application/x-www-form-urlencoded; charset=UTF-8', 'a=1', { a: '1' }],
    ['an upper-case media type', 'Application/X-WWW-Form-Urlencoded', 'a=1', { a: '1' }],
    ['empty values as absent (RFC 6749 §3.1)', 'application/x-www-form-urlencoded', 'a=&b=2&c', { b: '2' }],
    ['an empty body', 'application/x-www-form-urlencoded', '', {}],
  ];
  for (const [name, type, body, expected] of accepted) it(`accepts ${name}`, () => assert.deepEqual(formOf(request(type, body)), expected));

  const refused: Array<[string, string | undefined, string, string]> = [
    ['JSON', 'application/json', '{}', 'the request body must be application/x-www-form-urlencoded'],
    ['no content type', undefined, 'a=1', 'the request body must be application/x-www-form-urlencoded'],
    ['multipart', 'multipart/form-data; boundary=x', 'a=1', 'the request body must be application/x-www-form-urlencoded'],
    ['a repeated parameter (RFC 6749 §3.2)', 'application/x-www-form-urlencoded', 'scope=a&scope=b', 'parameter "scope" is repeated'],
  ];
  for (const [name, type, body, description] of refused) {
    it(`refuses ${name}`, () => assert.throws(() => formOf(request(type, body)), { error: 'invalid_request', status: 400, description }));
  }
});

describe('jsonOf', () => {
  it('accepts a JSON object, with a charset parameter', () => {
    assert.deepEqual(jsonOf(request('application/json; charset=utf-8', { client_name: 'x' })), { client_name: 'x' });
  });
  const refused: Array<[string, string | undefined, unknown, string]> = [
    ['a form', 'application/x-www-form-urlencoded', 'a=1', 'invalid_request'],
    ['no content type', undefined, undefined, 'invalid_request'],
    ['an empty body', 'application/json', undefined, 'invalid_client_metadata'],
    ['null', 'application/json', null, 'invalid_client_metadata'],
    ['an array', 'application/json', [], 'invalid_client_metadata'],
    ['a string', 'application/json', 'client', 'invalid_client_metadata'],
  ];
  for (const [name, type, body, error] of refused) it(`refuses ${name}`, () => assert.throws(() => jsonOf(request(type, body)), { error, status: 400 }));
});

describe('EdgePolicy', () => {
  const policy = new EdgePolicy('/fhir');
  const cases: Array<[string, { methods: string[]; cors: boolean; noStore: boolean } | undefined]> = [
    ['/token', { methods: ['POST'], cors: true, noStore: true }],
    // RFC 9126 §2.2: no-store; CORS as at /token (browser apps push too).
    ['/par', { methods: ['POST'], cors: true, noStore: true }],
    ['/register', { methods: ['POST'], cors: true, noStore: true }],
    ['/register/abc', { methods: ['GET', 'PUT', 'DELETE'], cors: true, noStore: true }],
    ['/fhir/.well-known/smart-configuration', { methods: ['GET'], cors: true, noStore: false }],
    // UDAP Security 2.0 §2.1: under the issuer and under the FHIR base, like the SMART configuration.
    ['/.well-known/udap', { methods: ['GET'], cors: true, noStore: false }],
    ['/fhir/.well-known/udap', { methods: ['GET'], cors: true, noStore: false }],
    ['/jwks', { methods: ['GET'], cors: true, noStore: false }],
    // RFC 9700 §2.6: no CORS on introspection, revocation, health, the authorization endpoint and its pages.
    ['/introspect', { methods: ['POST'], cors: false, noStore: true }],
    ['/revoke', { methods: ['POST'], cors: false, noStore: true }],
    ['/health/ready', { methods: ['GET'], cors: false, noStore: true }],
    ['/authorize', { methods: ['GET', 'POST'], cors: false, noStore: true }],
    ['/interaction/abc/login', { methods: ['GET', 'POST'], cors: false, noStore: true }],
    ['/login/callback', { methods: ['GET'], cors: false, noStore: true }],
    ['/logout', { methods: ['GET', 'POST'], cors: false, noStore: true }],
    ['/launch', { methods: ['POST'], cors: false, noStore: true }],
    // OIDC Core §5.3: browser apps call userinfo with their token.
    ['/userinfo', { methods: ['GET', 'POST'], cors: true, noStore: true }],
    ['/unknown', undefined],
    ['/register/a/b', undefined],
    ['/login/callback/x', undefined],
  ];
  for (const [path, expected] of cases) it(`knows ${path}`, () => assert.deepEqual(policy.of(path), expected));
});
