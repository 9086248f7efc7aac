import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ClientRecord } from '#contracts';
import { OAuthError, RequestParams } from '#oauth';
import { chooseRedirectUri, deferredRequest, echoableState, sameLoopbackExceptPort, validateAuthorizationRequest, verifyClientAndRedirect, type AuthorizationRequest } from './authorization-request.js';

const FHIR = 'https://fhir.example/r4';
const CALLBACK = 'https://app.example/callback';
const OTHER_CALLBACK = 'https://app.example/other';
// RFC 7636 Appendix B.
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

function client(overrides: Partial<ClientRecord['metadata']> = {}): ClientRecord {
  return {
    client_id: 'app-1',
    client_id_issued_at: 0,
    revision: 1,
    metadata: {
      redirect_uris: [CALLBACK],
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      scope: 'launch launch/patient openid fhirUser offline_access patient/*.rs',
      ...overrides,
    },
  };
}

const VALID: Record<string, string> = {
  response_type: 'code',
  client_id: 'app-1',
  redirect_uri: CALLBACK,
  scope: 'launch/patient openid fhirUser patient/*.rs',
  state: 'st-1',
  aud: FHIR,
  code_challenge: CHALLENGE,
  code_challenge_method: 'S256',
};

function params(changes: Record<string, string | string[] | undefined> = {}): RequestParams {
  const source: Record<string, string | string[]> = { ...VALID };
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined) delete source[k];
    else source[k] = v;
  }
  return new RequestParams(source);
}

/** The parameters of the last request `validate` checked: the state an error would echo comes from them. */
let lastParams: RequestParams = params();

function validate(changes: Record<string, string | string[] | undefined> = {}, c: ClientRecord = client()): AuthorizationRequest {
  lastParams = params(changes);
  return validateAuthorizationRequest(lastParams, verifyClientAndRedirect(lastParams, c), FHIR);
}

function unredirectable(fn: () => unknown, error: string, description?: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof OAuthError && !err.redirectable, `expected an error page, got ${String(err)}`);
    assert.equal(err.error, error);
    assert.equal(err.status, 400);
    if (description) assert.match(err.description ?? '', description);
    return true;
  });
}

/** Fails after the client and redirect URI were verified: the error goes back to CALLBACK with `state`. */
function redirected(fn: () => unknown, error: string, description?: RegExp, state: string | null = 'st-1'): OAuthError {
  let caught: OAuthError | undefined;
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof OAuthError, `expected an OAuth error, got ${String(err)}`);
    assert.equal(err.error, error);
    if (description) assert.match(err.description ?? '', description);
    assert.equal(echoableState(lastParams), state ?? undefined);
    caught = err;
    return true;
  });
  return caught!;
}

describe('verifyClientAndRedirect (RFC 6749 §4.1.2.1: never redirect before client and redirect URI are verified)', () => {
  const cases: Array<[string, Record<string, string | string[] | undefined>, ClientRecord | null, string, RegExp]> = [
    ['client_id missing', { client_id: undefined }, client(), 'invalid_request', /client_id is required/],
    ['client_id empty (RFC 6749 §3.1: empty = absent)', { client_id: '' }, client(), 'invalid_request', /client_id is required/],
    ['client_id repeated', { client_id: ['app-1', 'app-2'] }, client(), 'invalid_request', /client_id parameter is repeated/],
    ['redirect_uri repeated', { redirect_uri: [CALLBACK, CALLBACK] }, client(), 'invalid_request', /redirect_uri parameter is repeated/],
    ['unknown client', {}, null, 'invalid_client', /not registered/],
    ['redirect_uri not registered', { redirect_uri: 'https://evil.example/callback' }, client(), 'invalid_request', /redirect_uri is not registered/],
    ['redirect_uri with a trailing slash (exact match, RFC 9700 §4.1.3)', { redirect_uri: `${CALLBACK}/` }, client(), 'invalid_request', /not registered/],
    ['redirect_uri with an extra query', { redirect_uri: `${CALLBACK}?x=1` }, client(), 'invalid_request', /not registered/],
    ['redirect_uri in another case', { redirect_uri: CALLBACK.toUpperCase() }, client(), 'invalid_request', /not registered/],
    ['redirect_uri over http', { redirect_uri: CALLBACK.replace('https:', 'http:') }, client(), 'invalid_request', /not registered/],
    ['redirect_uri missing, several registered (RFC 6749 §3.1.2.3)', { redirect_uri: undefined }, client({ redirect_uris: [CALLBACK, OTHER_CALLBACK] }), 'invalid_request', /redirect_uri is required/],
    ['redirect_uri missing, none registered', { redirect_uri: undefined }, client({ redirect_uris: [] }), 'invalid_request', /redirect_uri is required/],
    ['a NUL in client_id (issue #14: never looked up)', { client_id: 'app\u0000-1' }, null, 'invalid_client', /not registered/],
    ['a line feed in redirect_uri', { redirect_uri: `${CALLBACK}\n` }, client(), 'invalid_request', /redirect_uri contains a control character/],
  ];
  for (const [name, changes, c, error, description] of cases) {
    it(`refuses on a page: ${name}`, () => unredirectable(() => verifyClientAndRedirect(params(changes), c), error, description));
  }

  it('a repeated client_id is refused even when the client exists (checked before the lookup result)', () => {
    unredirectable(() => verifyClientAndRedirect(params({ client_id: ['app-1', 'app-1'] }), client()), 'invalid_request');
  });

  it('takes the one registered redirect URI when redirect_uri is omitted, and remembers it was not sent', () => {
    assert.deepEqual(verifyClientAndRedirect(params({ redirect_uri: undefined }), client()), { client: client(), redirectUri: CALLBACK, sent: false });
  });

  it('a loopback redirect URI matches on any port (RFC 8252 §7.3), and on nothing else', () => {
    const c = client({ redirect_uris: ['http://127.0.0.1/callback', 'http://[::1]:8080/cb?x=1'] });
    for (const given of ['http://127.0.0.1:51234/callback', 'http://127.0.0.1/callback', 'http://[::1]:1/cb?x=1', 'http://[::1]/cb?x=1']) {
      assert.deepEqual(verifyClientAndRedirect(params({ redirect_uri: given }), c), { client: c, redirectUri: given, sent: true }, given);
    }
    for (const given of ['http://127.0.0.1:51234/callback/', 'http://127.0.0.1:51234/other', 'http://127.0.0.2:51234/callback', 'http://localhost:51234/callback', 'https://127.0.0.1:51234/callback', 'http://127.0.0.1:99999/callback', 'http://[::1]:8080/cb', 'http://127.0.0.1:51234/callback?x=1', 'http://127.0.0.1:0/callback']) {
      unredirectable(() => verifyClientAndRedirect(params({ redirect_uri: given }), c), 'invalid_request', /not registered/);
    }
    // Not for non-loopback hosts, whatever the scheme.
    unredirectable(() => verifyClientAndRedirect(params({ redirect_uri: 'https://app.example:8443/callback' }), client()), 'invalid_request', /not registered/);
  });

  it('sameLoopbackExceptPort', () => {
    assert.equal(sameLoopbackExceptPort('http://localhost/cb', 'http://LOCALHOST:3000/cb'), true);
    assert.equal(sameLoopbackExceptPort('http://localhost:3000/cb', 'http://localhost:4000/cb'), true);
    assert.equal(sameLoopbackExceptPort('http://localhost:3000', 'http://localhost:4000'), true);
    assert.equal(sameLoopbackExceptPort('http://localhost:3000', 'http://localhost:4000/'), false);
    assert.equal(sameLoopbackExceptPort('http://localhost.evil.example/cb', 'http://localhost.evil.example:1/cb'), false);
    assert.equal(sameLoopbackExceptPort('http://127.0.0.1/cb', 'http://127.0.0.1@evil.example/cb'), false);
    assert.equal(sameLoopbackExceptPort('http://127.0.0.1/cb', 'http://127.0.0.1:1/cb#frag'), false);
  });

  it('accepts any of several registered redirect URIs, exactly', () => {
    const c = client({ redirect_uris: [CALLBACK, OTHER_CALLBACK] });
    assert.deepEqual(verifyClientAndRedirect(params({ redirect_uri: OTHER_CALLBACK }), c), { client: c, redirectUri: OTHER_CALLBACK, sent: true });
  });
});

describe('chooseRedirectUri (RFC 6749 §3.1.2.3, RFC 9700 §4.1.3, RFC 8252 §7.3): shared by /authorize and /par', () => {
  const cases: Array<[string, string[], string | undefined, ReturnType<typeof chooseRedirectUri>]> = [
    ['the one named, registered', [CALLBACK, OTHER_CALLBACK], OTHER_CALLBACK, { redirectUri: OTHER_CALLBACK, sent: true }],
    ['none named, one registered', [CALLBACK], undefined, { redirectUri: CALLBACK, sent: false }],
    ['none named, several registered', [CALLBACK, OTHER_CALLBACK], undefined, 'required'],
    ['none named, none registered', [], undefined, 'required'],
    ['not registered', [CALLBACK], 'https://evil.example/callback', 'unregistered'],
    ['registered but for a trailing slash', [CALLBACK], `${CALLBACK}/`, 'unregistered'],
    ['a loopback URI on another port', ['http://127.0.0.1/cb'], 'http://127.0.0.1:61234/cb', { redirectUri: 'http://127.0.0.1:61234/cb', sent: true }],
  ];
  for (const [what, registered, given, expected] of cases) it(what, () => assert.deepEqual(chooseRedirectUri(registered, given), expected));
});

describe('validateAuthorizationRequest', () => {
  it('accepts a complete SMART request and keeps what the interaction needs', () => {
    assert.deepEqual(validate({ nonce: 'n-1' }), {
      clientId: 'app-1',
      redirectUri: CALLBACK,
      redirectUriSent: true,
      scope: 'launch/patient openid fhirUser patient/*.rs',
      codeChallenge: CHALLENGE,
      state: 'st-1',
      nonce: 'n-1',
    });
  });

  it('ignores unknown parameters (RFC 6749 §3.1)', () => {
    assert.equal(validate({ extra: 'foobar', display: 'page', ui_locales: 'en' }).clientId, 'app-1');
  });

  it('state is optional; without it, errors go back without state', () => {
    assert.equal(validate({ state: undefined }).state, undefined);
    redirected(() => validate({ state: undefined, response_type: 'token' }), 'unsupported_response_type', undefined, null);
  });

  // [case, changes, error, description]: one case per refusal, each redirectable with state.
  const refusals: Array<[string, Record<string, string | string[] | undefined>, string, RegExp]> = [
    ['scope repeated', { scope: ['openid', 'fhirUser'] }, 'invalid_request', /scope parameter is repeated/],
    ['state repeated', { state: ['st-1', 'st-2'] }, 'invalid_request', /state parameter is repeated/],
    ['code_challenge repeated', { code_challenge: [CHALLENGE, CHALLENGE] }, 'invalid_request', /code_challenge parameter is repeated/],
    ['a request object (OIDC Core §6)', { request: 'eyJhbGciOiJub25lIn0.e30.' }, 'request_not_supported', /not supported/],
    ['a request_uri (OIDC Core §6, RFC 9126)', { request_uri: 'urn:ietf:params:oauth:request_uri:abc' }, 'request_uri_not_supported', /not supported/],
    ['response_type missing', { response_type: undefined }, 'invalid_request', /response_type is required/],
    ['response_type=token (implicit, RFC 9700 §2.1.2)', { response_type: 'token' }, 'unsupported_response_type', /only response_type=code/],
    ['response_type=code id_token (hybrid)', { response_type: 'code id_token' }, 'unsupported_response_type', /only response_type=code/],
    ['code_challenge missing', { code_challenge: undefined }, 'invalid_request', /code_challenge is required/],
    ['code_challenge_method missing (RFC 7636 §4.3 default plain)', { code_challenge_method: undefined }, 'invalid_request', /must be S256/],
    ['code_challenge_method=plain', { code_challenge_method: 'plain' }, 'invalid_request', /must be S256/],
    ['code_challenge_method=S512', { code_challenge_method: 'S512' }, 'invalid_request', /unsupported code_challenge_method/],
    ['code_challenge too short', { code_challenge: CHALLENGE.slice(1) }, 'invalid_request', /43 characters/],
    ['code_challenge with padding', { code_challenge: `${CHALLENGE.slice(1)}=` }, 'invalid_request', /43 characters/],
    ['aud missing', { aud: undefined }, 'invalid_request', /aud is required/],
    ['aud of another server', { aud: 'https://inferno.healthit.gov/invalid_aud' }, 'invalid_request', /aud is not/],
    ['aud with another path', { aud: `${FHIR}/other` }, 'invalid_request', /aud is not/],
    ['scope missing', { scope: undefined }, 'invalid_scope', /scope is required/],
    ['scope of spaces only', { scope: '   ' }, 'invalid_scope', /scope is required/],
    ['scope malformed', { scope: 'openid patient/Observation.sr' }, 'invalid_scope', /patient\/Observation\.sr/],
    ['scope with a control character (issue #14: checked before the scope grammar)', { scope: 'openid\tfhirUser' }, 'invalid_request', /scope parameter contains a control character/],
    ['no requested scope registered', { scope: 'user/*.rs system/*.rs' }, 'invalid_scope', /none of the requested scopes/],
    ['launch parameter without the launch scope', { launch: 'abc' }, 'invalid_scope', /needs the launch scope/],
    ['launch scope without the launch parameter', { scope: 'launch openid patient/*.rs' }, 'invalid_request', /needs the launch parameter/],
    ['nonce too long', { nonce: 'n'.repeat(513) }, 'invalid_request', /nonce is too long/],
    ['launch too long', { scope: 'launch openid', launch: 'l'.repeat(8193) }, 'invalid_request', /launch is too long/],
    ['prompt=none combined', { prompt: 'none login' }, 'invalid_request', /prompt=none cannot be combined/],
    ['prompt unknown value', { prompt: 'bogus' }, 'invalid_request', /unknown prompt value/],
    ['prompt with an unknown value next to a known one', { prompt: 'login bogus' }, 'invalid_request', /unknown prompt value/],
    ['prompt=select_account (OIDC Core §3.1.2.6)', { prompt: 'select_account' }, 'account_selection_required', /not supported/],
    ['max_age negative', { max_age: '-1' }, 'invalid_request', /max_age/],
    ['max_age not a number', { max_age: '1e3' }, 'invalid_request', /max_age/],
    ['max_age too large', { max_age: '1234567890' }, 'invalid_request', /max_age/],
  ];
  for (const [name, changes, error, description] of refusals) {
    it(`redirects ${error}: ${name}`, () => {
      const err = redirected(() => validate(changes), error, description);
      assert.equal(err.redirectable, true);
    });
  }

  it('a client not registered for the code flow gets unauthorized_client at its redirect URI', () => {
    redirected(() => validate({}, client({ grant_types: ['client_credentials'] })), 'unauthorized_client', /authorization code flow/);
  });

  it('launch scope not registered by the client, with a launch parameter: invalid_scope', () => {
    const c = client({ scope: 'openid patient/*.rs' });
    redirected(() => validate({ scope: 'launch openid', launch: 'abc' }, c), 'invalid_scope', /needs the launch scope/);
  });

  it('a too long state is not echoed back, and is refused', () => {
    redirected(() => validate({ state: 's'.repeat(2049) }), 'invalid_request', /state is too long/, null);
    assert.equal(validate({ state: 's'.repeat(2048) }).state, 's'.repeat(2048));
  });

  it('a control character in any parameter goes back as invalid_request, a bad state not echoed (issue #14)', () => {
    redirected(() => validate({ state: 'x\u0000y' }), 'invalid_request', /state parameter contains a control character/, null);
    redirected(() => validate({ nonce: 'n\u007f' }), 'invalid_request', /nonce parameter contains a control character/);
    redirected(() => validate({ scope: 'openid\tpatient/*.rs' }), 'invalid_request', /scope parameter/);
    redirected(() => validate({ launch: 'l\u001b' }), 'invalid_request', /launch parameter/);
    redirected(() => validate({ ['x\u0000']: '1' }), 'invalid_request', /a parameter name contains a control character/);
    // Checked before any other rule, so a deferred error never carries the bad value.
    const err = redirected(() => validate({ state: 'x\u0001', response_type: 'token' }), 'invalid_request', /state/, null);
    assert.equal(deferredRequest(verifyClientAndRedirect(lastParams, client()), err, echoableState(lastParams)).state, undefined);
  });

  it('state is echoed byte for byte (AZ-06)', () => {
    assert.equal(validate({ state: 'a b/c=d&é' }).state, 'a b/c=d&é');
  });

  it('aud: a trailing slash on either side does not matter', () => {
    assert.equal(validate({ aud: `${FHIR}/` }).clientId, 'app-1');
    const p = params();
    assert.equal(validateAuthorizationRequest(p, verifyClientAndRedirect(p, client()), `${FHIR}/`).clientId, 'app-1');
  });

  it('narrows the scope to what the client registered, in request order, never wider', () => {
    assert.equal(validate({ scope: 'patient/*.rs user/*.rs openid' }).scope, 'patient/*.rs openid');
    assert.equal(validate({ scope: 'patient/Observation.cruds openid' }).scope, 'patient/Observation.rs openid');
    assert.equal(validate({ scope: 'patient/Observation.read' }).scope, 'patient/Observation.read', 'v1 echoed as v1');
    assert.equal(validate({ scope: 'openid openid fhirUser' }).scope, 'openid fhirUser', 'duplicates collapse');
  });

  it('EHR launch: the launch parameter with the launch scope is kept', () => {
    const request = validate({ scope: 'launch openid patient/*.rs', launch: 'opaque-launch' });
    assert.equal(request.launch, 'opaque-launch');
    assert.equal(request.scope, 'launch openid patient/*.rs');
  });

  it('prompt values: none, login, consent, and login with consent (login wins)', () => {
    assert.equal(validate({ prompt: 'none' }).prompt, 'none');
    assert.equal(validate({ prompt: 'login' }).prompt, 'login');
    assert.equal(validate({ prompt: 'consent' }).prompt, 'consent');
    assert.equal(validate({ prompt: 'login consent' }).prompt, 'login');
    assert.equal(validate({ prompt: undefined }).prompt, undefined);
    assert.equal(validate({ prompt: '' }).prompt, undefined, 'empty = absent');
  });

  it('max_age: whole seconds, zero included', () => {
    assert.equal(validate({ max_age: '0' }).maxAge, 0);
    assert.equal(validate({ max_age: '3600' }).maxAge, 3600);
    assert.equal(validate({ max_age: undefined }).maxAge, undefined);
  });

  it('redirect_uri omitted with one registered: the request remembers it was not sent (RFC 6749 §4.1.3)', () => {
    const request = validate({ redirect_uri: undefined });
    assert.equal(request.redirectUri, CALLBACK);
    assert.equal(request.redirectUriSent, false);
  });

  it('a repeated unknown parameter is still a repeated parameter, its name cut in the description', () => {
    const err = redirected(() => validate({ [`x${'y'.repeat(200)}`]: ['1', '2'] }), 'invalid_request');
    assert.ok((err.description ?? '').length < 120);
  });
});
