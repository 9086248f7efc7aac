import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ClientMetadata } from '#contracts';
import { pushRequired } from './par-requirement.js';

const metadata = (extra: Partial<ClientMetadata> = {}): ClientMetadata => ({
  redirect_uris: ['https://app.example/callback'],
  token_endpoint_auth_method: 'none',
  grant_types: ['authorization_code'],
  response_types: ['code'],
  scope: 'openid',
  ...extra,
});

describe('require_pushed_authorization_requests (RFC 9126 §5, §6)', () => {
  const cases: Array<[string, Partial<ClientMetadata>, boolean, boolean]> = [
    ['neither the server nor the client', {}, false, false],
    ['the client registered false', { require_pushed_authorization_requests: false }, false, false],
    ['the client registered true (§6)', { require_pushed_authorization_requests: true }, false, true],
    ['the server requires it of everyone (§5)', {}, true, true],
    ['the server requires it, whatever the client registered', { require_pushed_authorization_requests: false }, true, true],
  ];
  for (const [what, extra, server, expected] of cases) {
    it(`${expected ? 'required' : 'not required'}: ${what}`, () => assert.equal(pushRequired({ metadata: metadata(extra) }, server), expected));
  }
});
