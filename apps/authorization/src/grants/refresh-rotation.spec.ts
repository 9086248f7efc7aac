import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidScope, ScopeSet } from '#oauth';
import { narrowedScope, presentedTokenState } from './refresh-rotation.js';

const NOW = Date.parse('2026-12-07T10:00:00Z');
const token = (overrides: { clientId?: string; usedAt?: Date | null; expiresAt?: Date } = {}) => ({
  clientId: 'app',
  usedAt: null,
  expiresAt: new Date(NOW + 3_600_000),
  ...overrides,
});

describe('presentedTokenState (RFC 6749 §6, RFC 9700 §4.14.2, refresh grace)', () => {
  const cases: Array<[string, ReturnType<typeof token> | null, string, number, ReturnType<typeof presentedTokenState>]> = [
    ['a live token of the client: rotated', token(), 'app', 0, 'rotate'],
    ['an unknown token', null, 'app', 0, 'invalid'],
    ['a token of another client', token(), 'other', 0, 'invalid'],
    ['a token of another client, even spent (no revocation for a stranger)', token({ usedAt: new Date(NOW - 1000) }), 'other', 10, 'invalid'],
    ['an expired token', token({ expiresAt: new Date(NOW) }), 'app', 0, 'expired'],
    ['a spent token, grace off: reuse', token({ usedAt: new Date(NOW - 1000) }), 'app', 0, 'reused'],
    ['a spent token inside the grace window: the same answer again', token({ usedAt: new Date(NOW - 1000) }), 'app', 10, 'grace'],
    ['a spent token at the edge of the grace window', token({ usedAt: new Date(NOW - 10_000) }), 'app', 10, 'grace'],
    ['a spent token after the grace window: reuse', token({ usedAt: new Date(NOW - 10_001) }), 'app', 10, 'reused'],
    ['a spent and expired token: reuse first (the grant is revoked)', token({ usedAt: new Date(NOW - 60_000), expiresAt: new Date(NOW - 1) }), 'app', 0, 'reused'],
  ];
  for (const [name, presented, clientId, grace, expected] of cases) {
    it(name, () => assert.equal(presentedTokenState(presented, clientId, NOW, grace), expected));
  }
});

describe('narrowedScope (RFC 6749 §6: narrower or equal, never wider)', () => {
  const held = ScopeSet.parse('launch/patient openid fhirUser offline_access patient/*.rs');
  const kept: Array<[string, string | undefined, string]> = [
    ['omitted: all of it', undefined, held.toString()],
    ['empty: all of it', '', held.toString()],
    ['only spaces: all of it', '   ', held.toString()],
    ['the same scopes', 'launch/patient openid fhirUser offline_access patient/*.rs', held.toString()],
    ['fewer scopes', 'openid patient/*.rs', 'openid patient/*.rs'],
    ['a narrower resource scope', 'patient/Observation.rs', 'patient/Observation.rs'],
    ['a narrower permission', 'patient/*.r', 'patient/*.r'],
    ['a v1 scope covered by the v2 grant', 'patient/*.read', 'patient/*.read'],
  ];
  for (const [name, requested, expected] of kept) {
    it(`grants ${name}`, () => assert.equal(narrowedScope(requested, held).toString(), expected));
  }

  const widened: Array<[string, string]> = [
    ['a scope never granted', 'openid profile'],
    ['a wider resource permission', 'patient/*.cruds'],
    ['user scopes for patient ones', 'user/*.rs'],
    ['an unknown scope', 'openid made-up'],
  ];
  for (const [name, requested] of widened) {
    it(`refuses ${name} with invalid_scope`, () => assert.throws(() => narrowedScope(requested, held), InvalidScope));
  }
});
