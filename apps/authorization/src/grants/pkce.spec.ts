import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pkceMatches } from './pkce.js';

// RFC 7636 Appendix B.
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

describe('pkceMatches (RFC 7636 §4.6, S256)', () => {
  it('accepts the RFC 7636 Appendix B test vector', () => {
    assert.equal(pkceMatches(VERIFIER, CHALLENGE), true);
  });

  const refused: Array<[string, unknown, string]> = [
    ['absent verifier', undefined, CHALLENGE],
    ['blank verifier', '', CHALLENGE],
    ['verifier equal to the challenge (plain downgrade)', CHALLENGE, CHALLENGE],
    ['another verifier', 'x'.repeat(43), CHALLENGE],
    ['verifier one character short of the minimum (42)', VERIFIER.slice(0, 42), CHALLENGE],
    ['verifier over 128 characters', 'a'.repeat(129), CHALLENGE],
    ['verifier outside the unreserved alphabet', `${VERIFIER.slice(0, 42)}+`, CHALLENGE],
    ['verifier with a space', `${VERIFIER} `, CHALLENGE],
    ['non-string verifier', 12345, CHALLENGE],
    ['challenge of another length', VERIFIER, `${CHALLENGE}A`],
    ['challenge padded', VERIFIER, `${CHALLENGE}=`],
    ['empty challenge', VERIFIER, ''],
  ];
  for (const [name, verifier, challenge] of refused) {
    it(`refuses: ${name}`, () => assert.equal(pkceMatches(verifier as string | undefined, challenge), false));
  }

  it('accepts verifiers of 43 and of 128 characters', async () => {
    const { createHash } = await import('node:crypto');
    for (const v of ['A'.repeat(43), `${'-._~'.repeat(32)}`]) {
      assert.equal(pkceMatches(v, createHash('sha256').update(v).digest('base64url')), true, v);
    }
  });
});
