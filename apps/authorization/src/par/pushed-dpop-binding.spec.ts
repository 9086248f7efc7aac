import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidDpopProof } from '#oauth';
import { pushedDpopJkt } from './pushed-dpop-binding.js';

const A = 'A'.repeat(43);
const B = 'B'.repeat(43);

describe('DPoP binding of a pushed request (RFC 9449 §10.1)', () => {
  it('binds nothing without either', () => assert.equal(pushedDpopJkt(undefined, undefined), undefined));
  it('binds dpop_jkt alone', () => assert.equal(pushedDpopJkt(A, undefined), A));
  it('binds the proof key alone', () => assert.equal(pushedDpopJkt(undefined, A), A));
  it('binds both when they agree', () => assert.equal(pushedDpopJkt(A, A), A));
  it('refuses both when they differ, with invalid_dpop_proof', () => assert.throws(() => pushedDpopJkt(A, B), InvalidDpopProof));
});
