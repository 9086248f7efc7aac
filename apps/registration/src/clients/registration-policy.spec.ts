import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidClientMetadata } from '#oauth';
import { defaultScopeFor, LAUNCH_DEFAULT_SCOPE, SYSTEM_DEFAULT_SCOPE, validateRegistration } from './registration-policy.js';

describe('defaultScopeFor', () => {
  const cases: Array<[unknown, string]> = [
    [{ grant_types: ['client_credentials'] }, SYSTEM_DEFAULT_SCOPE],
    [{ grant_types: ['client_credentials', 'client_credentials'] }, SYSTEM_DEFAULT_SCOPE],
    [{ grant_types: ['authorization_code'] }, LAUNCH_DEFAULT_SCOPE],
    [{ grant_types: ['client_credentials', 'authorization_code'] }, LAUNCH_DEFAULT_SCOPE],
    [{ grant_types: [] }, LAUNCH_DEFAULT_SCOPE],
    [{ grant_types: 'client_credentials' }, LAUNCH_DEFAULT_SCOPE],
    [{}, LAUNCH_DEFAULT_SCOPE],
    [null, LAUNCH_DEFAULT_SCOPE],
  ];
  for (const [input, scope] of cases) it(`${JSON.stringify(input)} → ${scope}`, () => assert.equal(defaultScopeFor(input), scope));
});

describe('validateRegistration', () => {
  const backend = { grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic' };
  const app = { redirect_uris: ['https://app.example/cb'], token_endpoint_auth_method: 'none' };

  it('gives a backend client without a scope the system default', () => {
    assert.equal(validateRegistration(backend).metadata.scope, SYSTEM_DEFAULT_SCOPE);
  });

  it('gives any other client without a scope the launch default', () => {
    assert.equal(validateRegistration(app).metadata.scope, LAUNCH_DEFAULT_SCOPE);
  });

  it('keeps a registered scope and the requested client_id', () => {
    const { metadata, requestedClientId } = validateRegistration({ ...backend, client_id: 'my-client', scope: 'system/Patient.rs introspect' });
    assert.equal(metadata.scope, 'system/Patient.rs introspect');
    assert.equal(requestedClientId, 'my-client');
  });

  const refused: Array<[string, string, string]> = [
    ['the admin scope', 'admin', 'scope "admin" cannot be registered'],
    ['the admin scope among others', 'system/Patient.rs admin', 'scope "admin" cannot be registered'],
  ];
  for (const [name, scope, description] of refused) {
    it(`refuses ${name}`, () => {
      assert.throws(() => validateRegistration({ ...backend, scope }), (err: unknown) => err instanceof InvalidClientMetadata && err.description === description);
    });
  }

  it('refuses a scope that does not parse', () => {
    assert.throws(() => validateRegistration({ ...backend, scope: 'bogus' }), InvalidClientMetadata);
  });
});
