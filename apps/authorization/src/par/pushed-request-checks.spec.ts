import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ClientRecord } from '#contracts';
import { OAuthError, RequestParams } from '#oauth';
import { verifyPushedRedirect } from './pushed-request-checks.js';

const CALLBACK = 'https://app.example/callback';

function client(redirectUris: string[]): ClientRecord {
  return {
    client_id: 'app-1',
    client_id_issued_at: 0,
    revision: 1,
    metadata: { redirect_uris: redirectUris, token_endpoint_auth_method: 'none', grant_types: ['authorization_code'], response_types: ['code'], scope: 'openid' },
  };
}

describe('a pushed request before its authorization request checks (RFC 9126 §2.1, §2.3)', () => {
  it('uses the redirect URI it names, or the only one registered', () => {
    assert.deepEqual(verifyPushedRedirect(new RequestParams({ redirect_uri: CALLBACK }), client([CALLBACK, 'https://app.example/b'])), {
      client: client([CALLBACK, 'https://app.example/b']),
      redirectUri: CALLBACK,
      sent: true,
    });
    assert.equal(verifyPushedRedirect(new RequestParams({}), client([CALLBACK])).redirectUri, CALLBACK);
    assert.equal(verifyPushedRedirect(new RequestParams({ redirect_uri: 'http://127.0.0.1:5555/cb' }), client(['http://127.0.0.1/cb'])).redirectUri, 'http://127.0.0.1:5555/cb');
  });

  const refused: Array<[string, Record<string, string | string[]>, string[], number, string, RegExp]> = [
    ['request_uri pushed (§2.1)', { request_uri: 'urn:ietf:params:oauth:request_uri:abc', redirect_uri: CALLBACK }, [CALLBACK], 400, 'invalid_request', /request_uri must not be sent/],
    ['request_uri pushed twice', { request_uri: ['a', 'b'] }, [CALLBACK], 400, 'invalid_request', /request_uri must not be sent/],
    ['no redirect_uri, several registered', {}, [CALLBACK, 'https://app.example/b'], 400, 'invalid_request', /redirect_uri is required/],
    ['an unregistered redirect_uri', { redirect_uri: 'https://evil.example/cb' }, [CALLBACK], 400, 'invalid_redirect_uri', /not registered/],
    ['a registered one with a trailing slash', { redirect_uri: `${CALLBACK}/` }, [CALLBACK], 400, 'invalid_redirect_uri', /not registered/],
    ['redirect_uri twice', { redirect_uri: [CALLBACK, CALLBACK] }, [CALLBACK], 400, 'invalid_request', /repeated/],
  ];
  for (const [what, params, registered, status, error, description] of refused) {
    it(`refuses ${what}: ${status} ${error}`, () => {
      assert.throws(
        () => verifyPushedRedirect(new RequestParams(params), client(registered)),
        (err: unknown) => err instanceof OAuthError && err.status === status && err.error === error && description.test(err.description ?? ''),
      );
    });
  }
});
