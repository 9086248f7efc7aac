import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidRequest } from '#oauth';
import { pagingNumber, parseAdminClientRequest, parseListClientsRequest } from './admin-clients-requests.js';

describe('admin client directory payloads', () => {
  const garbage: Array<[string, (payload: unknown) => unknown, unknown]> = [
    ['a list payload that is not an object', parseListClientsRequest, 'x'],
    ['a list payload with a numeric limit', parseListClientsRequest, { limit: 5 }],
    ['a list payload with an unknown member', parseListClientsRequest, { authorization: 'Bearer t', filter: 'x' }],
    ['a client payload that is an array', parseAdminClientRequest, [{ clientId: 'a' }]],
    ['a client payload without clientId', parseAdminClientRequest, { authorization: 'Bearer t' }],
    ['an empty clientId', parseAdminClientRequest, { clientId: '' }],
    ['a clientId over 128 characters', parseAdminClientRequest, { clientId: 'a'.repeat(129) }],
    ['a numeric authorization', parseAdminClientRequest, { clientId: 'a', authorization: 1 }],
  ];
  for (const [name, parse, payload] of garbage) it(`refuses ${name}`, () => assert.throws(() => parse(payload), InvalidRequest));

  it('keeps the members given and nothing undefined', () => {
    assert.deepEqual(parseListClientsRequest({ authorization: 'Bearer t', limit: '5' }), { authorization: 'Bearer t', limit: '5' });
    assert.deepEqual(parseAdminClientRequest({ clientId: 'c', requestId: 'r' }), { clientId: 'c', requestId: 'r' });
  });

  const paging: Array<[string | undefined, number | 'refused']> = [
    [undefined, 100],
    ['0', 1],
    ['5', 5],
    ['5000', 1000],
    ['-1', 'refused'],
    ['1.5', 'refused'],
    ['ten', 'refused'],
    ['12345678', 'refused'],
  ];
  for (const [value, expected] of paging) {
    it(`limit ${String(value)} → ${expected}`, () => {
      if (expected === 'refused') assert.throws(() => pagingNumber('limit', value, 100, 1, 1000), InvalidRequest);
      else assert.equal(pagingNumber('limit', value, 100, 1, 1000), expected);
    });
  }
});
