import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigurationError, loadConfig } from '#nest';
import { AuthorizationConfig } from '../config/authorization.config.js';

const UPSTREAM = { UPSTREAM_OIDC_ISSUER: 'https://idp.example', UPSTREAM_OIDC_CLIENT_ID: 'smart', UPSTREAM_OIDC_CLIENT_SECRET: 's3cret' };

function problems(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(AuthorizationConfig, env, () => 'from-a-file');
    return [];
  } catch (err: unknown) {
    if (err instanceof ConfigurationError) return err.problems;
    throw err;
  }
}

describe('AuthorizationConfig: the upstream OpenID Connect provider', () => {
  it('is off by default, with the documented defaults', () => {
    const config = loadConfig(AuthorizationConfig, {});
    assert.equal(config.UPSTREAM_OIDC_ISSUER, undefined);
    assert.equal(config.UPSTREAM_OIDC_SCOPE, 'openid profile');
    assert.equal(config.UPSTREAM_OIDC_USER_CLAIM, 'preferred_username');
    assert.equal(config.UPSTREAM_OIDC_MATCH, 'username');
  });

  const accepted: Array<[string, NodeJS.ProcessEnv]> = [
    ['an https issuer with id and secret', UPSTREAM],
    ['an https issuer with a path', { ...UPSTREAM, UPSTREAM_OIDC_ISSUER: 'https://idp.example/realms/smart' }],
    ['plain http on 127.0.0.1', { ...UPSTREAM, UPSTREAM_OIDC_ISSUER: 'http://127.0.0.1:8081' }],
    ['plain http on localhost', { ...UPSTREAM, UPSTREAM_OIDC_ISSUER: 'http://localhost:8081/idp' }],
    ['the secret from a file', { UPSTREAM_OIDC_ISSUER: 'https://idp.example', UPSTREAM_OIDC_CLIENT_ID: 'smart', UPSTREAM_OIDC_CLIENT_SECRET_FILE: '/run/secrets/idp' }],
    ['matching on fhirUser', { ...UPSTREAM, UPSTREAM_OIDC_MATCH: 'fhirUser', UPSTREAM_OIDC_USER_CLAIM: 'fhirUser', UPSTREAM_OIDC_SCOPE: 'openid fhirUser' }],
    ['extra authorization parameters', { ...UPSTREAM, UPSTREAM_OIDC_AUTHORIZE_PARAMS: 'aud=https://idp.example/fhir&acr_values=mfa' }],
  ];
  for (const [name, env] of accepted) it(`accepts ${name}`, () => assert.deepEqual(problems(env), []));

  const refused: Array<[string, NodeJS.ProcessEnv, RegExp]> = [
    ['an issuer without a client id', { UPSTREAM_OIDC_ISSUER: 'https://idp.example', UPSTREAM_OIDC_CLIENT_SECRET: 'x' }, /^UPSTREAM_OIDC_CLIENT_ID: is required when UPSTREAM_OIDC_ISSUER is set/],
    ['an issuer without a secret', { UPSTREAM_OIDC_ISSUER: 'https://idp.example', UPSTREAM_OIDC_CLIENT_ID: 'x' }, /^UPSTREAM_OIDC_CLIENT_SECRET: is required when UPSTREAM_OIDC_ISSUER is set/],
    ['plain http on another host', { ...UPSTREAM, UPSTREAM_OIDC_ISSUER: 'http://idp.example' }, /^UPSTREAM_OIDC_ISSUER: must be https/],
    ['an issuer with a query', { ...UPSTREAM, UPSTREAM_OIDC_ISSUER: 'https://idp.example/?x=1' }, /^UPSTREAM_OIDC_ISSUER: must be https/],
    ['a scope without openid', { ...UPSTREAM, UPSTREAM_OIDC_SCOPE: 'profile email' }, /^UPSTREAM_OIDC_SCOPE: must be space-separated scopes including openid/],
    ['an unknown match', { ...UPSTREAM, UPSTREAM_OIDC_MATCH: 'email' }, /^UPSTREAM_OIDC_MATCH: /],
    ['a claim name with spaces', { ...UPSTREAM, UPSTREAM_OIDC_USER_CLAIM: 'a b' }, /^UPSTREAM_OIDC_USER_CLAIM: must be a claim name/],
    ['extra parameters overriding ours', { ...UPSTREAM, UPSTREAM_OIDC_AUTHORIZE_PARAMS: 'aud=x&redirect_uri=https://evil.example' }, /^UPSTREAM_OIDC_AUTHORIZE_PARAMS: must be form-encoded/],
    ['extra parameters that are not a form', { ...UPSTREAM, UPSTREAM_OIDC_AUTHORIZE_PARAMS: 'aud' }, /^UPSTREAM_OIDC_AUTHORIZE_PARAMS: must be form-encoded/],
  ];
  for (const [name, env, expected] of refused) {
    it(`refuses ${name}`, () => {
      const found = problems(env);
      assert.ok(found.some((p) => expected.test(p)), found.join('\n'));
    });
  }
});
