import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ClientRecord } from '#contracts';
import { checkUdapState } from './udap-state.rule.js';

const client = (udap: boolean): ClientRecord => ({
  client_id: 'c1',
  metadata: { redirect_uris: ['https://app.example/cb'], token_endpoint_auth_method: 'private_key_jwt', grant_types: ['authorization_code'], response_types: ['code'], scope: 'openid' },
  client_id_issued_at: 0,
  revision: 1,
  ...(udap ? { udap: { iss: 'https://app.example/udap', anchor_sha256: 'a', certificate_sha256: 'c', public_jwk: {} } } : {}),
});

describe('state from UDAP apps (UDAP Security 2.0 §7.2.1)', () => {
  it('is required of a UDAP client: invalid_request, redirectable', () => {
    for (const state of [undefined, '']) {
      assert.throws(() => checkUdapState(client(true), state), (err: { error: string; redirectable: boolean }) => err.error === 'invalid_request' && err.redirectable);
    }
    checkUdapState(client(true), 'xyz');
  });

  it('stays optional for other clients (RFC 6749 §4.1.1)', () => {
    checkUdapState(client(false), undefined);
  });
});
