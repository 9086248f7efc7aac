import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkStatementClaims } from './software-statement-claims.js';

const NOW = 1_800_000_000;
const ISS = 'https://app.example/udap';
const AUD = 'https://auth.example/register';
const valid = { iss: ISS, sub: ISS, aud: AUD, iat: NOW, exp: NOW + 300, jti: 'j-1' };

describe('software statement claims (UDAP Security 2.0 §3.1)', () => {
  it('accepts a statement of the certificate named by iss, for the registration endpoint', () => {
    assert.deepEqual(checkStatementClaims(valid, ['urn:other', ISS], AUD, NOW), { iss: ISS, jti: 'j-1', exp: NOW + 300 });
    assert.equal(checkStatementClaims({ ...valid, aud: [AUD] }, [ISS], AUD, NOW).iss, ISS);
  });

  const refused: Array<[string, Record<string, unknown>, RegExp]> = [
    ['no iss', { iss: undefined }, /iss is required/],
    ['an iss the certificate does not name', { iss: 'https://app.example/other', sub: 'https://app.example/other' }, /subject alternative name/],
    ['an iss that differs only in case', { iss: ISS.toUpperCase(), sub: ISS.toUpperCase() }, /subject alternative name/],
    ['sub ≠ iss', { sub: 'https://app.example/else' }, /sub must equal iss/],
    ['another audience', { aud: 'https://auth.example/token' }, /aud must be the registration endpoint/],
    ['two audiences', { aud: [AUD, 'https://x.example'] }, /aud must be/],
    ['no iat', { iat: undefined }, /iat is required/],
    ['an iat ahead of the clock', { iat: NOW + 120, exp: NOW + 300 }, /iat is in the future/],
    ['no exp', { exp: undefined }, /exp is required/],
    ['an expired statement', { iat: NOW - 600, exp: NOW - 120 }, /expired/],
    ['exp more than five minutes after iat', { exp: NOW + 301 }, /at most 300 seconds after iat/],
    ['an nbf ahead of the clock', { nbf: NOW + 600 }, /not valid yet/],
    ['no jti', { jti: undefined }, /jti is required/],
    ['an empty jti', { jti: '' }, /jti is required/],
  ];
  for (const [name, change, message] of refused) {
    it(`refuses ${name} (invalid_software_statement)`, () => {
      assert.throws(() => checkStatementClaims({ ...valid, ...change }, [ISS], AUD, NOW), (err: { error?: string; description?: string }) => err.error === 'invalid_software_statement' && message.test(err.description ?? ''));
    });
  }
});
