import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { envelopeProblem, isStorableEnvelope, occurredAtUtc } from './envelope-check.js';

const good = {
  id: '4b8f5e0c-2d0e-4a8e-9a53-2f8d4b8d7c11',
  type: 'token.issued',
  version: 1,
  occurred_at: '2026-11-25T07:41:12.345Z',
  source: 'token',
  request_id: 'c199f814-f627-44a5-a1cd-6a220749ddec',
  data: { jti: 'j', client_id: 'c', sub: 's', grant_type: 'client_credentials', scope: 'system/*.rs', aud: 'https://fhir', iat: 1, exp: 2, kid: 'k' },
};

describe('envelopeProblem', () => {
  it('accepts a well-formed envelope, with or without request_id', () => {
    assert.equal(envelopeProblem(good), null);
    const { request_id: _, ...withoutRequestId } = good;
    assert.equal(isStorableEnvelope(withoutRequestId), true);
    assert.equal(envelopeProblem({ ...good, data: { note: 'a backslash then u0000: \\u0000' } }), null, 'an escaped backslash is not a NUL');
  });

  const cases: Array<[string, unknown, RegExp]> = [
    ['null', null, /not a JSON object/],
    ['an array', [good], /not a JSON object/],
    ['a string', 'event', /not a JSON object/],
    ['a missing id', { ...good, id: undefined }, /id is not a UUID/],
    ['an id that is not a UUID', { ...good, id: 'abc' }, /id is not a UUID/],
    ['an unknown type', { ...good, type: 'token.stolen' }, /type is not in the event catalogue/],
    ['a numeric type', { ...good, type: 7 }, /type is not in the event catalogue/],
    ['another version', { ...good, version: 2 }, /version is not 1/],
    ['no occurred_at', { ...good, occurred_at: undefined }, /occurred_at/],
    ['a loose date', { ...good, occurred_at: 'March 7, 2026' }, /occurred_at/],
    ['an impossible month', { ...good, occurred_at: '2026-13-01T00:00:00Z' }, /occurred_at/],
    ['year zero', { ...good, occurred_at: '0000-01-01T00:00:00Z' }, /occurred_at/],
    ['no source', { ...good, source: '' }, /source is missing/],
    ['a numeric request_id', { ...good, request_id: 5 }, /request_id is not a string/],
    ['data that is an array', { ...good, data: [] }, /data is not an object/],
    ['no data', { ...good, data: null }, /data is not an object/],
    ['a NUL character', { ...good, data: { ...good.data, sub: 'a\u0000b' } }, /U\+0000/],
    ['a lone surrogate', { ...good, source: 'x\ud800' }, /lone surrogate/],
  ];
  for (const [name, value, problem] of cases) {
    it(`refuses ${name}`, () => {
      assert.match(envelopeProblem(value) ?? 'accepted', problem);
      assert.equal(isStorableEnvelope(value), false);
    });
  }
});

describe('occurredAtUtc', () => {
  const cases: Array<[string, string | null]> = [
    ['2026-11-25T07:41:12.345Z', '2026-11-25T07:41:12.345Z'],
    ['2026-01-01T10:00:00+05:30', '2026-01-01T04:30:00.000Z'],
    ['2026-02-30T00:00:00Z', '2026-03-02T00:00:00.000Z'],
    ['0000-01-01T00:00:00Z', null],
    ['not a date', null],
  ];
  for (const [input, expected] of cases) it(`${input} → ${expected}`, () => assert.equal(occurredAtUtc(input), expected));
});
