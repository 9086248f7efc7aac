import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { announcedRevokedAt } from './grant-revocation.js';

describe('announcedRevokedAt (grant.revoked: tokens issued up to then are inactive)', () => {
  const cases: Array<[string, string, number]> = [
    ['a whole second: 60 s later', '2026-12-07T10:00:00.000Z', Date.parse('2026-12-07T10:01:00Z') / 1000],
    ['within a second: rounded up, then 60 s later', '2026-12-07T10:00:00.001Z', Date.parse('2026-12-07T10:01:01Z') / 1000],
    ['just before a second', '2026-12-07T10:00:00.999Z', Date.parse('2026-12-07T10:01:01Z') / 1000],
  ];
  for (const [name, at, expected] of cases) it(name, () => assert.equal(announcedRevokedAt(new Date(at)), expected));
});
