import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { withinRefreshGrace } from './refresh-grace.js';

describe('withinRefreshGrace (REFRESH_REUSE_GRACE_SECONDS)', () => {
  const usedAt = new Date('2026-12-07T10:00:00Z');
  const cases: Array<[string, number, number, boolean]> = [
    ['off (0): never', 0, 0, false],
    ['at once', 10, 0, true],
    ['at the edge', 10, 10_000, true],
    ['just after', 10, 10_001, false],
    ['long after', 10, 3_600_000, false],
  ];
  for (const [name, grace, after, expected] of cases) {
    it(name, () => assert.equal(withinRefreshGrace(usedAt, usedAt.getTime() + after, grace), expected));
  }
});
