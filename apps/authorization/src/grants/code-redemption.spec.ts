import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RedeemCodeRequest } from '#contracts';
import type { RedeemedCode } from '../persistence/authorization-code.store.js';
import { codeRedemptionFailure } from './code-redemption.js';

const NOW = Date.parse('2026-12-07T10:00:00Z');
// RFC 7636 Appendix B.
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';
const REDIRECT = 'https://app.example/callback';
const JKT = 'A'.repeat(43);

const code = (overrides: Partial<RedeemedCode> = {}): RedeemedCode => ({
  grantId: 'g1',
  clientId: 'app',
  redirectUri: REDIRECT,
  redirectUriSent: true,
  codeChallenge: CHALLENGE,
  nonce: null,
  dpopJkt: null,
  authTime: new Date(NOW - 5_000),
  expiresAt: new Date(NOW + 55_000),
  ...overrides,
});
type Presented = Pick<RedeemCodeRequest, 'client_id' | 'redirect_uri' | 'code_verifier' | 'dpop_jkt'>;
const request = (overrides: Partial<Presented> = {}): Presented => ({ client_id: 'app', redirect_uri: REDIRECT, code_verifier: VERIFIER, ...overrides });

describe('codeRedemptionFailure (RFC 6749 §4.1.3, RFC 7636 §4.6)', () => {
  const good: Array<[string, RedeemedCode, Presented]> = [
    ['the code as issued, presented as bound', code(), request()],
    ['redirect_uri left out when the authorization request left it out', code({ redirectUriSent: false }), request({ redirect_uri: undefined })],
    ['redirect_uri repeated though the authorization request left it out', code({ redirectUriSent: false }), request()],
    ['a code bound with dpop_jkt, with a proof of that key (RFC 9449 §10.1)', code({ dpopJkt: JKT }), request({ dpop_jkt: JKT })],
    ['an unbound code with a DPoP proof', code(), request({ dpop_jkt: JKT })],
  ];
  for (const [name, issued, presented] of good) {
    it(`accepts ${name}`, () => assert.equal(codeRedemptionFailure(issued, presented, NOW), null));
  }

  const refused: Array<[string, RedeemedCode, Presented, string]> = [
    ['an expired code', code({ expiresAt: new Date(NOW) }), request(), 'the authorization code is invalid or expired'],
    ['a code of another client', code(), request({ client_id: 'other' }), 'the authorization code was issued to another client'],
    ['redirect_uri missing though the authorization request sent it', code(), request({ redirect_uri: undefined }), 'redirect_uri does not match the authorization request'],
    ['another redirect_uri', code(), request({ redirect_uri: `${REDIRECT}/x` }), 'redirect_uri does not match the authorization request'],
    ['another redirect_uri though none was sent at first', code({ redirectUriSent: false }), request({ redirect_uri: `${REDIRECT}/x` }), 'redirect_uri does not match the authorization request'],
    ['no code_verifier', code(), request({ code_verifier: undefined }), 'code_verifier is required (PKCE)'],
    ['a wrong code_verifier', code(), request({ code_verifier: 'x'.repeat(43) }), 'code_verifier does not match the code_challenge'],
    ['a code bound with dpop_jkt without a proof (RFC 9449 §10.1)', code({ dpopJkt: JKT }), request(), 'the authorization code is bound to another DPoP key (dpop_jkt)'],
    ['a code bound with dpop_jkt with a proof of another key', code({ dpopJkt: JKT }), request({ dpop_jkt: 'B'.repeat(43) }), 'the authorization code is bound to another DPoP key (dpop_jkt)'],
    ['the challenge sent as verifier (plain downgrade)', code(), request({ code_verifier: CHALLENGE }), 'code_verifier does not match the code_challenge'],
  ];
  for (const [name, issued, presented, reason] of refused) {
    it(`refuses ${name}`, () => assert.equal(codeRedemptionFailure(issued, presented, NOW), reason));
  }

  it('checks in the RFC order: expiry before the client, the client before redirect_uri and PKCE', () => {
    assert.equal(codeRedemptionFailure(code({ expiresAt: new Date(NOW - 1) }), request({ client_id: 'other', code_verifier: undefined }), NOW), 'the authorization code is invalid or expired');
    assert.equal(codeRedemptionFailure(code(), request({ client_id: 'other', redirect_uri: 'x', code_verifier: undefined }), NOW), 'the authorization code was issued to another client');
  });
});
