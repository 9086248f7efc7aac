import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidClientMetadata, sha256Hex } from '#oauth';
import { checkUpdateBody, secretChangeFor } from './update-body.js';

const SECRET = 'the-current-secret';
const symmetric = { clientId: 'app', clientSecretHash: sha256Hex(SECRET) };
const keyed = { clientId: 'app', clientSecretHash: null };

describe('checkUpdateBody (RFC 7592 §2.2)', () => {
  const refused: Array<[string, unknown, typeof symmetric | typeof keyed, RegExp]> = [
    ['a non-object body', ['app'], symmetric, /must be a JSON object/],
    ['a null body', null, symmetric, /must be a JSON object/],
    ['a missing client_id', { client_name: 'x' }, symmetric, /client_id in the body must match/],
    ['another client_id', { client_id: 'other' }, symmetric, /client_id in the body must match/],
    ['a registration_access_token', { client_id: 'app', registration_access_token: 'x' }, symmetric, /registration_access_token must not be sent/],
    ['a registration_client_uri', { client_id: 'app', registration_client_uri: 'https://a/register/app' }, symmetric, /registration_client_uri must not be sent/],
    ['a client_secret_expires_at', { client_id: 'app', client_secret_expires_at: 0 }, symmetric, /client_secret_expires_at must not be sent/],
    ['a client_id_issued_at', { client_id: 'app', client_id_issued_at: 1 }, symmetric, /client_id_issued_at must not be sent/],
    ['a chosen client_secret', { client_id: 'app', client_secret: 'my-own-secret' }, symmetric, /client_secret does not match/],
    ['a non-string client_secret', { client_id: 'app', client_secret: 42 }, symmetric, /client_secret does not match/],
    ['a client_secret for a client without one', { client_id: 'app', client_secret: SECRET }, keyed, /client_secret does not match/],
  ];
  for (const [name, body, current, description] of refused) {
    it(`refuses ${name}`, () => {
      assert.throws(() => checkUpdateBody(body, current), (err: unknown) => err instanceof InvalidClientMetadata && description.test(err.description ?? ''));
    });
  }

  const accepted: Array<[string, unknown, typeof symmetric | typeof keyed]> = [
    ['the client_id alone', { client_id: 'app' }, symmetric],
    ['the current client_secret', { client_id: 'app', client_secret: SECRET, client_name: 'x' }, symmetric],
    ['unknown extension fields', { client_id: 'app', foo: 'bar' }, keyed],
  ];
  for (const [name, body, current] of accepted) it(`accepts ${name}`, () => assert.doesNotThrow(() => checkUpdateBody(body, current)));
});

describe('secretChangeFor', () => {
  const cases: Array<[boolean, string | null, ReturnType<typeof secretChangeFor>]> = [
    [true, 'a'.repeat(64), 'keep'],
    [true, null, 'issue'],
    [false, 'a'.repeat(64), 'drop'],
    [false, null, 'keep'],
  ];
  for (const [toSymmetric, hash, change] of cases) {
    it(`${toSymmetric ? 'symmetric' : 'other'} method, ${hash ? 'with' : 'without'} a secret → ${change}`, () => assert.equal(secretChangeFor(toSymmetric, hash), change));
  }
});
