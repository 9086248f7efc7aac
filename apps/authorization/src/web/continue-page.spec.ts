import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { continuePage } from './continue-page.js';

describe('continuePage', () => {
  const page = continuePage('https://app.example/cb?error=access_denied&state="><script>x</script>', ['/assets/suite.css'], [], ['a=b; Path=/']);

  it('moves the browser on by itself, with a link as fallback', () => {
    assert.equal(page.status, 200);
    assert.match(page.body!, /<meta http-equiv="refresh" content="0;url=https:\/\/app\.example\/cb\?error=access_denied&amp;state=&quot;&gt;&lt;script&gt;x&lt;\/script&gt;">/);
    assert.match(page.body!, /<a href="https:\/\/app\.example\/cb\?error=access_denied&amp;state=&quot;/);
  });
  it('escapes the location everywhere', () => assert.doesNotMatch(page.body!, /<script>/));
  it('is a page like the others: no caching, no referrer, no framing, cookies kept', () => {
    assert.equal(page.headers['cache-control'], 'no-store');
    assert.equal(page.headers['referrer-policy'], 'no-referrer');
    assert.match(page.headers['content-security-policy']!, /frame-ancestors 'none'/);
    assert.deepEqual(page.cookies, ['a=b; Path=/']);
  });
});
