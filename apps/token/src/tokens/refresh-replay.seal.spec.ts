import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { TokenResponseBody } from '#contracts';
import { openRefreshResponse, sealRefreshResponse } from './refresh-replay.seal.js';

describe('refresh grace: the sealed token response', () => {
  const body: TokenResponseBody = { access_token: 'at', token_type: 'Bearer', expires_in: 3600, scope: 'openid', refresh_token: 'next-refresh-token' };

  it('opens only with the refresh token it was sealed under', () => {
    const sealed = sealRefreshResponse('old-refresh-token', body);
    assert.deepEqual(openRefreshResponse('old-refresh-token', sealed), body);
    assert.equal(openRefreshResponse('another-refresh-token', sealed), null);
  });

  it('holds nothing readable: not the tokens, and not openable with the stored hash of the refresh token', () => {
    const sealed = sealRefreshResponse('old-refresh-token', body);
    assert.doesNotMatch(Buffer.from(sealed, 'base64url').toString('latin1'), /next-refresh-token|Bearer/);
    assert.equal(openRefreshResponse(createHash('sha256').update('old-refresh-token').digest('hex'), sealed), null);
  });

  it('refuses altered or truncated text', () => {
    const sealed = sealRefreshResponse('old-refresh-token', body);
    const bytes = Buffer.from(sealed, 'base64url');
    bytes[bytes.length - 1] ^= 1;
    assert.equal(openRefreshResponse('old-refresh-token', bytes.toString('base64url')), null);
    assert.equal(openRefreshResponse('old-refresh-token', sealed.slice(0, 20)), null);
    assert.equal(openRefreshResponse('old-refresh-token', ''), null);
  });

  it('seals the same response differently each time (a fresh IV)', () => {
    assert.notEqual(sealRefreshResponse('t', body), sealRefreshResponse('t', body));
  });
});
