import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ClientRecord, TokenEndpointAuthMethod } from '#contracts';
import { refreshBindingFailure, refreshTokenBinding } from './dpop-refresh-binding.js';

const JKT = 'A'.repeat(43);
const client = (method: TokenEndpointAuthMethod): ClientRecord => ({
  client_id: 'app',
  metadata: { redirect_uris: ['https://app.example/cb'], token_endpoint_auth_method: method, grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], scope: 'openid' },
  client_id_issued_at: 0,
  revision: 1,
});

describe('DPoP binding of refresh tokens (RFC 9449 §5)', () => {
  it("binds a public client's refresh token to the proof's key", () => assert.equal(refreshTokenBinding(client('none'), JKT), JKT));
  it('does not bind without a proof', () => assert.equal(refreshTokenBinding(client('none'), undefined), null));
  it("does not bind a confidential client's (already bound by its authentication)", () => assert.equal(refreshTokenBinding(client('client_secret_basic'), JKT), null));

  const cases: Array<[string, string | null, string | undefined, string | null]> = [
    ['an unbound token without a proof', null, undefined, null],
    ['an unbound token with a proof', null, JKT, null],
    ['a bound token with a proof of its key', JKT, JKT, null],
    ['a bound token without a proof', JKT, undefined, 'the refresh token is bound to a DPoP key: a DPoP proof is required'],
    ['a bound token with a proof of another key', JKT, 'B'.repeat(43), 'the refresh token is bound to another DPoP key'],
  ];
  for (const [name, boundTo, presented, failure] of cases) {
    it(`${failure === null ? 'accepts' : 'refuses'} ${name}`, () => assert.equal(refreshBindingFailure(boundTo, presented), failure));
  }
});
