import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ScopeSet } from '#oauth';
import { isOnlineOnly } from './online-access.js';
import { refreshTokenExpiry } from './refresh-token-issuance.js';

const NOW = Date.parse('2026-12-07T10:00:00Z');
const config = { REFRESH_TOKEN_TTL_SECONDS: 86_400, SESSION_TTL_SECONDS: 3_600 };
const refreshing = ['authorization_code', 'refresh_token'];
const notRefreshing = ['authorization_code'];
const session = { authenticatedAt: new Date(NOW - 600_000) };
const TTL = new Date(NOW + 86_400_000);
const SESSION_END = new Date(NOW - 600_000 + 3_600_000);

describe('refreshTokenExpiry (SMART App Launch 2.2 §"Scopes for requesting a refresh token")', () => {
  const cases: Array<[string, string, string[], typeof session | null, Date | null]> = [
    ['offline_access: the configured lifetime', 'openid offline_access', refreshing, null, TTL],
    ['offline_access with online_access: offline wins, session or not', 'online_access offline_access', refreshing, null, TTL],
    ['online_access: no longer than the login session', 'openid online_access', refreshing, session, SESSION_END],
    ['online_access with a session outliving the lifetime: the lifetime', 'online_access', refreshing, { authenticatedAt: new Date(NOW + 90_000_000) }, TTL],
    ['online_access whose login session ended: none', 'online_access', refreshing, null, null],
    ['neither scope: none', 'openid patient/*.rs', refreshing, session, null],
    ['a client not registered for refresh_token: none', 'offline_access', notRefreshing, session, null],
  ];
  for (const [name, scope, client, live, expected] of cases) {
    it(name, () => assert.deepEqual(refreshTokenExpiry(ScopeSet.parse(scope), client, live, NOW, config), expected));
  }
});

describe('isOnlineOnly: which refresh tokens die with the login session', () => {
  const cases: Array<[string, boolean]> = [
    ['online_access', true],
    ['openid online_access patient/*.rs', true],
    ['online_access offline_access', false],
    ['offline_access', false],
    ['openid', false],
  ];
  for (const [scope, expected] of cases) it(`'${scope}' → ${expected}`, () => assert.equal(isOnlineOnly(scope), expected));
});
