import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigurationError } from '#nest';
import { claimedClientId } from './client-id.hint.js';
import { parseClientOverrides, RateLimitPolicy } from './rate-limit.policy.js';

const jwt = (payload: unknown) => `e30.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.sig`;
const basic = (id: string, secret = 's') => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

describe('claimedClientId (bucketing only, never verified)', () => {
  const cases: Array<[string, string | undefined, string, string | undefined]> = [
    ['the Basic user name, form-decoded (RFC 6749 §2.3.1)', basic('my%20app'), '', 'my app'],
    ['Basic over a client_id parameter', basic('a'), 'client_id=b', 'a'],
    ['the client_id parameter', undefined, 'grant_type=client_credentials&client_id=pub', 'pub'],
    ['the iss of a client assertion', undefined, `client_assertion_type=x&client_assertion=${jwt({ iss: 'backend' })}`, 'backend'],
    ['the client_id claim of a bearer token', `Bearer ${jwt({ client_id: 'caller' })}`, 'token=x', 'caller'],
    ['nothing for malformed Basic credentials', 'Basic !!!', '', undefined],
    ['nothing for a bad percent-encoding', basic('%E0%A4%A'), '', undefined],
    ['nothing for an assertion that is not a JWT', undefined, 'client_assertion=garbage', undefined],
    ['nothing for an assertion whose iss is not a string', undefined, `client_assertion=${jwt({ iss: 42 })}`, undefined],
    ['nothing for an oversized client_id', undefined, `client_id=${'x'.repeat(300)}`, undefined],
    ['nothing for an anonymous request', undefined, 'grant_type=client_credentials', undefined],
    ['the first non-empty client_id, decoded', undefined, 'client_id=&client_id=my%20app&client_id=other', 'my app'],
  ];
  for (const [name, authorization, form, expected] of cases) {
    it(name, () => assert.equal(claimedClientId(authorization, form), expected));
  }
});

describe('RATE_LIMIT_CLIENT_OVERRIDES', () => {
  it('reads per-client token and introspection limits', () => {
    const overrides = parseClientOverrides('{"bulk":{"token":6000},"ehr":{"introspect":0,"token":5}}');
    assert.deepEqual(overrides.get('bulk'), { token: 6000 });
    assert.deepEqual(overrides.get('ehr'), { introspect: 0, token: 5 });
  });

  it('is empty when unset', () => assert.equal(parseClientOverrides(undefined).size, 0));

  const refused: Array<[string, string, RegExp]> = [
    ['not JSON', '{bulk', /must be JSON/],
    ['an array', '[1]', /JSON object keyed by client_id/],
    ['limits that are not an object', '{"bulk":5}', /bulk: must be an object/],
    ['an unknown limit', '{"bulk":{"register":5}}', /bulk\.register: unknown limit/],
    ['a negative number', '{"bulk":{"token":-1}}', /bulk\.token: must be a whole number/],
    ['a fraction', '{"bulk":{"token":1.5}}', /bulk\.token: must be a whole number/],
    ['a string number', '{"bulk":{"token":"5"}}', /bulk\.token: must be a whole number/],
  ];
  for (const [name, json, message] of refused) {
    it(`refuses ${name} at start, naming the setting`, () =>
      assert.throws(() => parseClientOverrides(json), (err: unknown) => err instanceof ConfigurationError && /RATE_LIMIT_CLIENT_OVERRIDES/.test(err.message) && message.test(err.message)));
  }
});

describe('RateLimitPolicy', () => {
  const base = {
    RATE_LIMIT_WINDOW_SECONDS: 60,
    RATE_LIMIT_TOKEN_PER_CLIENT: 100,
    RATE_LIMIT_TOKEN_PER_ADDRESS: 0,
    RATE_LIMIT_REGISTER_PER_ADDRESS: 0,
    RATE_LIMIT_LOGIN_PER_ADDRESS: 0,
    RATE_LIMIT_INTROSPECT_PER_CLIENT: 200,
    RATE_LIMIT_CLIENT_OVERRIDES: '{"bulk":{"token":0},"slow":{"introspect":3}}',
    RATE_LIMIT_STORE: 'nats' as const,
    RATE_LIMIT_SYNC_MS: 100,
  };

  it('applies a client override in place of the default, 0 meaning unlimited', () => {
    const policy = new RateLimitPolicy(base);
    assert.equal(policy.tokenLimitOf('bulk'), 0);
    assert.equal(policy.tokenLimitOf('other'), 100);
    assert.equal(policy.introspectLimitOf('slow'), 3);
    assert.equal(policy.introspectLimitOf('bulk'), 200);
  });

  it('is inactive when every limit is 0 and no override is set', () => {
    assert.equal(new RateLimitPolicy({ ...base, RATE_LIMIT_TOKEN_PER_CLIENT: 0, RATE_LIMIT_INTROSPECT_PER_CLIENT: 0, RATE_LIMIT_CLIENT_OVERRIDES: undefined }).active, false);
    assert.equal(new RateLimitPolicy(base).active, true);
  });

  it('shares counts unless RATE_LIMIT_STORE=memory', () => {
    assert.equal(new RateLimitPolicy(base).shared, true);
    assert.equal(new RateLimitPolicy({ ...base, RATE_LIMIT_STORE: 'memory' }).shared, false);
  });
});
