import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidRequest } from '#oauth';
import { dpopJktOf } from './dpop-jkt.rule.js';

describe('dpop_jkt at the authorization endpoint (RFC 9449 §10)', () => {
  it('is optional', () => assert.equal(dpopJktOf(undefined), undefined));
  it('accepts a SHA-256 JWK thumbprint', () => assert.equal(dpopJktOf('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs'), 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs'));
  for (const value of ['', 'short', 'A'.repeat(44), `${'A'.repeat(42)}=`, `${'A'.repeat(42)}+`]) {
    it(`refuses ${JSON.stringify(value)} with invalid_request`, () => assert.throws(() => dpopJktOf(value), InvalidRequest));
  }
});
