import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidRequest } from '#oauth';
import { parseLookupRequest, parseManageRequest, parseRegisterRequest, parseUpdateRequest } from './registration-requests.js';

describe('RPC payload shapes', () => {
  const garbage: Array<[string, (payload: unknown) => unknown, unknown]> = [
    ['a register payload that is not an object', parseRegisterRequest, 'x'],
    ['a register payload with a numeric bearer', parseRegisterRequest, { metadata: {}, bearer: 1 }],
    ['a register payload with an object requestId', parseRegisterRequest, { metadata: {}, requestId: {} }],
    ['a manage payload that is an array', parseManageRequest, [{ clientId: 'a' }]],
    ['a manage payload without clientId', parseManageRequest, { registrationAccessToken: 't' }],
    ['an empty clientId', parseManageRequest, { clientId: '' }],
    ['a numeric clientId', parseManageRequest, { clientId: 7 }],
    ['a clientId over 128 characters', parseManageRequest, { clientId: 'a'.repeat(129) }],
    ['a numeric registration access token', parseManageRequest, { clientId: 'a', registrationAccessToken: 5 }],
    ['an update payload without clientId', parseUpdateRequest, { metadata: {} }],
    ['a lookup payload that is null', parseLookupRequest, null],
    ['a lookup with an oversized clientId', parseLookupRequest, { clientId: 'a'.repeat(129) }],
  ];
  for (const [name, parse, payload] of garbage) it(`refuses ${name}`, () => assert.throws(() => parse(payload), InvalidRequest));

  it('keeps only the known fields', () => {
    assert.deepEqual(parseRegisterRequest({ metadata: { a: 1 }, bearer: 'b', requestId: 'r', extra: true }), { metadata: { a: 1 }, bearer: 'b', requestId: 'r' });
    assert.deepEqual(parseManageRequest({ clientId: 'c', registrationAccessToken: 't', other: 1 }), { clientId: 'c', registrationAccessToken: 't' });
    assert.deepEqual(parseUpdateRequest({ clientId: 'c', metadata: { client_id: 'c' } }), { clientId: 'c', metadata: { client_id: 'c' } });
    assert.deepEqual(parseLookupRequest({ clientId: 'a'.repeat(128) }), { clientId: 'a'.repeat(128) });
  });

  it('leaves a missing registration access token to the handler (401, not 400)', () => {
    assert.deepEqual(parseManageRequest({ clientId: 'c', registrationAccessToken: null }), { clientId: 'c' });
  });
});
