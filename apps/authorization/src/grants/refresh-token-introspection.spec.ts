import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { refreshTokenIntrospection, type RefreshTokenFacts } from './refresh-token-introspection.js';

const NOW = Date.parse('2026-12-07T10:00:00Z');
const FHIR = 'https://fhir.example/r4/';
const seconds = (ms: number) => Math.floor(ms / 1000);

function facts(overrides: { token?: Partial<NonNullable<RefreshTokenFacts['token']>>; grant?: Partial<NonNullable<RefreshTokenFacts['grant']>>; user?: Partial<NonNullable<RefreshTokenFacts['user']>>; sessionLive?: boolean } = {}): RefreshTokenFacts {
  return {
    token: { clientId: 'app', scope: 'launch/patient openid fhirUser offline_access patient/*.rs', createdAt: new Date(NOW - 60_000), expiresAt: new Date(NOW + 3600_000), usedAt: null, ...overrides.token },
    grant: { userId: 'user-1', context: { patient: 'pt-1', need_patient_banner: true, smart_style_url: 'https://auth.example/smart-style.json' }, revokedAt: null, ...overrides.grant },
    user: { id: 'user-1', fhirUser: 'Patient/pt-1', disabled: false, ...overrides.user },
    sessionLive: overrides.sessionLive ?? false,
  };
}

describe('refreshTokenIntrospection (RFC 7662 §2.1 for refresh tokens)', () => {
  it('answers a live token with what it stands for, as the grant\'s access tokens say it', () => {
    assert.deepEqual(refreshTokenIntrospection(facts(), NOW, FHIR), {
      active: true,
      client_id: 'app',
      sub: 'user-1',
      scope: 'launch/patient openid fhirUser offline_access patient/*.rs',
      iat: seconds(NOW - 60_000),
      exp: seconds(NOW + 3600_000),
      fhirUser: 'https://fhir.example/r4/Patient/pt-1',
      patient: 'pt-1',
      need_patient_banner: true,
      smart_style_url: 'https://auth.example/smart-style.json',
    });
  });

  it('says fhirUser only when the fhirUser scope was granted (SMART token-introspection)', () => {
    const answer = refreshTokenIntrospection(facts({ token: { scope: 'launch/patient offline_access patient/*.rs' } }), NOW, FHIR);
    assert.equal(answer.active, true);
    assert.equal('fhirUser' in answer, false);
  });

  it('answers an online_access token active while its login session is on', () => {
    assert.equal(refreshTokenIntrospection(facts({ token: { scope: 'online_access patient/*.rs' }, sessionLive: true }), NOW, FHIR).active, true);
  });

  const inactive: Array<[string, RefreshTokenFacts]> = [
    ['an unknown token', { ...facts(), token: null }],
    ['a token rotated out (used) (RFC 9700 §4.14.2)', facts({ token: { usedAt: new Date(NOW - 1000) } })],
    ['an expired token', facts({ token: { expiresAt: new Date(NOW) } })],
    ['a token of a revoked grant (revoked itself, or its grant)', facts({ grant: { revokedAt: new Date(NOW - 1000) } })],
    ['a token whose grant is gone', { ...facts(), grant: null }],
    ['an online_access token whose login session ended', facts({ token: { scope: 'online_access patient/*.rs' }, sessionLive: false })],
    ['a token of a disabled user', facts({ user: { disabled: true } })],
    ['a token of a deleted user', { ...facts(), user: null }],
  ];
  for (const [name, given] of inactive) {
    it(`answers exactly {active:false} for ${name}`, () => assert.deepEqual(refreshTokenIntrospection(given, NOW, FHIR), { active: false }));
  }
});
