import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GrantRegistry } from './grant.registry.js';
import type { GrantHandler } from './grant-handler.js';

const handler = (grantType: string): GrantHandler => ({
  grantType,
  parameters: [],
  requiresClientAuthentication: true,
  handle: async () => ({ access_token: grantType, token_type: 'Bearer', expires_in: 1, scope: '' }),
});

describe('GrantRegistry', () => {
  const registry = new GrantRegistry([handler('client_credentials'), handler('refresh_token')]);
  it('finds handlers by grant_type', () => assert.equal(registry.resolve('refresh_token').grantType, 'refresh_token'));
  it('lists the grant types it has', () => assert.deepEqual(registry.grantTypes, ['client_credentials', 'refresh_token']));
  const cases: Array<[string | undefined, string]> = [
    [undefined, 'invalid_request'],
    ['', 'invalid_request'],
    ['password', 'unsupported_grant_type'],
    ['not_a_grant_type', 'unsupported_grant_type'],
    ['__proto__', 'unsupported_grant_type'],
    ['constructor', 'unsupported_grant_type'],
    ['CLIENT_CREDENTIALS', 'unsupported_grant_type'],
  ];
  for (const [grantType, error] of cases) {
    it(`answers ${error} for ${JSON.stringify(grantType)}`, () => assert.throws(() => registry.resolve(grantType), { error, status: 400 }));
  }
});
