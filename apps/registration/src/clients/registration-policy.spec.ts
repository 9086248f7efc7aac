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

  // RFC 9700 §4.15 (DCR-05): user subs are UUIDs; a client_id of that form could collide with one.
  for (const clientId of ['3f2b8c1e-9d4a-4b7e-8f00-1a2b3c4d5e6f', '3F2B8C1E-9D4A-4B7E-8F00-1A2B3C4D5E6F']) {
    it(`refuses the user-identifier-shaped client_id ${clientId}`, () => {
      assert.throws(() => validateRegistration({ ...backend, client_id: clientId }), (err: unknown) => err instanceof InvalidClientMetadata && /user identifier/.test(err.description ?? ''));
    });
  }

  it('keeps a client_id that merely contains dashes and hex', () => {
    assert.equal(validateRegistration({ ...backend, client_id: 'app-3f2b8c1e-9d4a' }).requestedClientId, 'app-3f2b8c1e-9d4a');
  });

  it('refuses a scope that does not parse', () => {
    assert.throws(() => validateRegistration({ ...backend, scope: 'bogus' }), InvalidClientMetadata);
  });
});
