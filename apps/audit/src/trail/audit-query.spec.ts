import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidRequest } from '#oauth';
import { parseAuditQuery } from './audit-query.js';

const ID = '4b8f5e0c-2d0e-4a8e-9a53-2f8d4b8d7c11';

describe('parseAuditQuery', () => {
  const accepted: Array<[string, unknown, object]> = [
    ['no payload', undefined, { limit: 100 }],
    ['an empty query', {}, { limit: 100 }],
    ['every filter', { ids: [ID], type: 'client.registered', clientId: 'c1', afterSeq: 10, limit: 1000 }, { ids: [ID], type: 'client.registered', clientId: 'c1', afterSeq: 10, limit: 1000 }],
    ['afterSeq 0', { afterSeq: 0 }, { afterSeq: 0, limit: 100 }],
  ];
  for (const [name, payload, expected] of accepted) it(`accepts ${name}`, () => assert.deepEqual(parseAuditQuery(payload), expected));

  const refused: Array<[string, unknown, RegExp]> = [
    ['an array', [], /must be an object/],
    ['a string', 'all', /must be an object/],
    ['an unknown field', { client_id: 'c1' }, /unknown query field\(s\): client_id/],
    ['ids that are not an array', { ids: ID }, /ids must be an array/],
    ['ids that are not UUIDs', { ids: ['x'] }, /ids must be an array/],
    ['more than 1000 ids', { ids: Array.from({ length: 1001 }, () => ID) }, /at most 1000/],
    ['an unknown type', { type: 'token.stolen' }, /type is not a known event type/],
    ['an empty clientId', { clientId: '' }, /clientId must be a string/],
    ['a numeric clientId', { clientId: 5 }, /clientId must be a string/],
    ['a negative afterSeq', { afterSeq: -1 }, /afterSeq must be a non-negative integer/],
    ['a fractional afterSeq', { afterSeq: 1.5 }, /afterSeq must be a non-negative integer/],
    ['a string afterSeq', { afterSeq: '5' }, /afterSeq must be a non-negative integer/],
    ['limit 0', { limit: 0 }, /limit must be an integer from 1 to 1000/],
    ['limit 1001', { limit: 1001 }, /limit must be an integer from 1 to 1000/],
  ];
  for (const [name, payload, message] of refused) {
    it(`refuses ${name} with invalid_request`, () =>
      assert.throws(() => parseAuditQuery(payload), (err: unknown) => err instanceof InvalidRequest && message.test(err.description ?? err.message)));
  }
});
