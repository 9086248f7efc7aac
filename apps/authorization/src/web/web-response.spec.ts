import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InsufficientScope, InvalidRequest } from '#oauth';
import { formTargetOf, htmlPage, jsonResponse, oauthErrorJson, pageHeaders, seeOther, unframeable, withQuery } from './web-response.js';

function csp(headers: Record<string, string>): Map<string, string> {
  return new Map(headers['content-security-policy']!.split('; ').map((d) => [d.split(' ')[0]!, d.slice(d.indexOf(' ') + 1)] as [string, string]));
}

describe('pageHeaders (RFC 9700 §4.16, §4.2.4)', () => {
  it('without EHR origins: no framing at all, by CSP and by X-Frame-Options', () => {
    const h = pageHeaders([]);
    assert.equal(h['x-frame-options'], 'DENY');
    assert.equal(csp(h).get('frame-ancestors'), "'none'");
    assert.equal(csp(h).get('form-action'), "'self'");
  });

  it('with EHR origins: only they may frame the pages, and there is no X-Frame-Options (it cannot list origins)', () => {
    const h = pageHeaders(['https://ehr.example', 'https://ehr2.example:8443']);
    assert.equal(h['x-frame-options'], undefined);
    assert.equal(csp(h).get('frame-ancestors'), 'https://ehr.example https://ehr2.example:8443');
  });

  it("shows https images only where asked (an app's logo on the consent and launcher pages)", () => {
    assert.equal(csp(pageHeaders([])).get('img-src'), "'self' data:");
    assert.equal(csp(pageHeaders([], [], true)).get('img-src'), "'self' data: https:");
  });

  it('unframeable: frame-ancestors none and X-Frame-Options DENY whatever the EHR origins (administration, account)', () => {
    const page = unframeable(htmlPage(200, 'x', { frameAncestors: ['https://ehr.example'] }));
    assert.equal(csp(page.headers!).get('frame-ancestors'), "'none'");
    assert.equal(page.headers!['x-frame-options'], 'DENY');
    assert.equal(csp(page.headers!).get('default-src'), "'none'", 'the rest of the policy stays');
    const redirect = seeOther('/admin');
    assert.deepEqual(unframeable(redirect), redirect, 'an answer without a policy is left alone');
  });

  it('lists the form targets after self', () => {
    assert.equal(csp(pageHeaders([], ['https://app.example', 'com.example.app:'])).get('form-action'), "'self' https://app.example com.example.app:");
  });

  it('never cached, no referrer, no sniffing, nothing from elsewhere', () => {
    const h = pageHeaders([]);
    assert.equal(h['content-type'], 'text/html; charset=utf-8');
    assert.equal(h['cache-control'], 'no-store');
    assert.equal(h.pragma, 'no-cache');
    assert.equal(h['referrer-policy'], 'no-referrer');
    assert.equal(h['x-content-type-options'], 'nosniff');
    const policy = csp(h);
    assert.equal(policy.get('default-src'), "'none'");
    assert.equal(policy.get('style-src'), "'self'");
    assert.equal(policy.get('base-uri'), "'none'");
    assert.equal(policy.has('script-src'), false);
  });

  it('htmlPage carries status, body and cookies only when there are some', () => {
    assert.deepEqual(htmlPage(200, '<p>x</p>', { frameAncestors: [] }), { status: 200, headers: pageHeaders([]), body: '<p>x</p>' });
    assert.deepEqual(htmlPage(400, '', { frameAncestors: [] }, ['a=b']).cookies, ['a=b']);
    assert.equal('cookies' in htmlPage(400, '', { frameAncestors: [] }, []), false);
  });
});

describe('formTargetOf', () => {
  const cases: Array<[string, string]> = [
    ['https://app.example/callback?x=1', 'https://app.example'],
    ['https://app.example:8443/cb', 'https://app.example:8443'],
    ['https://app.example:443/cb', 'https://app.example'],
    ['http://127.0.0.1:51234/callback', 'http://127.0.0.1:51234'],
    ['http://localhost/cb', 'http://localhost'],
    ['http://[::1]:8080/cb', 'http://[::1]:8080'],
    ['com.example.app:/oauth2redirect', 'com.example.app:'],
    ['com.example.app://callback', 'com.example.app:'],
  ];
  for (const [uri, expected] of cases) it(`${uri} → ${expected}`, () => assert.equal(formTargetOf(uri), expected));
});

describe('withQuery (RFC 6749 §3.1.2: the redirect URI query is kept)', () => {
  it('adds parameters to a URI without a query', () => {
    assert.equal(withQuery('https://app.example/cb', { code: 'abc', state: 's 1&2', iss: 'https://as.example' }), 'https://app.example/cb?code=abc&state=s+1%262&iss=https%3A%2F%2Fas.example');
  });

  it('keeps an existing query exactly as registered, and appends after it', () => {
    assert.equal(withQuery('https://app.example/cb?tenant=a/b&x', { code: 'abc' }), 'https://app.example/cb?tenant=a/b&x&code=abc');
    assert.equal(withQuery('https://app.example/cb?q=a%20b', { code: 'abc' }), 'https://app.example/cb?q=a%20b&code=abc');
  });

  it('skips undefined values (no state when none was sent)', () => {
    assert.equal(withQuery('https://app.example/cb', { code: 'abc', state: undefined }), 'https://app.example/cb?code=abc');
    assert.equal(withQuery('https://app.example/cb?x=1', { state: undefined }), 'https://app.example/cb?x=1');
  });

  it('works for loopback and private-use scheme redirect URIs (RFC 8252)', () => {
    assert.equal(withQuery('http://127.0.0.1:51234/callback', { code: 'c' }), 'http://127.0.0.1:51234/callback?code=c');
    assert.equal(withQuery('com.example.app:/oauth2redirect', { code: 'c' }), 'com.example.app:/oauth2redirect?code=c');
  });

  it('the parameters read back exactly', () => {
    const url = new URL(withQuery('https://app.example/cb?keep=1', { code: 'a+b/c=d', state: 'é ü' }));
    assert.equal(url.searchParams.get('keep'), '1');
    assert.equal(url.searchParams.get('code'), 'a+b/c=d');
    assert.equal(url.searchParams.get('state'), 'é ü');
  });
});

describe('seeOther and JSON answers', () => {
  it('redirects after a form POST with 303, never 307 (RFC 9700 §4.12)', () => {
    const r = seeOther('/interaction/x', ['c=1']);
    assert.equal(r.status, 303);
    assert.equal(r.headers.location, '/interaction/x');
    assert.equal(r.headers['cache-control'], 'no-store');
    assert.equal(r.headers['referrer-policy'], 'no-referrer');
    assert.deepEqual(r.cookies, ['c=1']);
    assert.equal('cookies' in seeOther('/x'), false);
  });

  it('JSON answers are not cached', () => {
    const r = jsonResponse(200, { a: 1 });
    assert.equal(r.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(r.headers['cache-control'], 'no-store');
    assert.equal(r.headers.pragma, 'no-cache');
    assert.deepEqual(JSON.parse(r.body!), { a: 1 });
  });

  it('OAuth errors as RFC 6749 §5.2 / RFC 6750 §3 JSON, with their challenge header', () => {
    const bad = oauthErrorJson(new InvalidRequest('nope'));
    assert.equal(bad.status, 400);
    assert.deepEqual(JSON.parse(bad.body!), { error: 'invalid_request', error_description: 'nope' });
    const scope = oauthErrorJson(new InsufficientScope('needs launch', { scope: 'launch' }));
    assert.equal(scope.status, 403);
    assert.match(scope.headers['www-authenticate']!, /error="insufficient_scope"/);
  });
});
