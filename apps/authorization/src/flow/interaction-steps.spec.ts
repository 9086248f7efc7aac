import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sessionReusable, signedInStep, signedOutStep, type Decision, type SignedInFacts } from './interaction-steps.js';

/** A signed-in practitioner, a standalone launch needing a patient already chosen, consent remembered: the code. */
const READY: SignedInFacts = {
  prompt: undefined,
  disabled: false,
  launchRefusal: null,
  needsPatient: true,
  patient: 'p-1',
  ownPatient: undefined,
  listedPatients: 2,
  consentRemembered: true,
};

const fail = (error: string, description: string): Decision => ({ step: 'fail', error: { error, description } });

describe('interaction steps: who is signed in (OIDC Core §3.1.2.1)', () => {
  it('shows the sign-in page', () => assert.deepEqual(signedOutStep(undefined), { step: 'login' }));
  it('prompt=none: login_required', () => assert.deepEqual(signedOutStep('none'), fail('login_required', 'the user is not signed in')));

  const at = new Date(1_000_000);
  // [case, request, now, reusable]
  const sessions: Array<[string, { prompt?: 'login' | 'none'; maxAge?: number }, number, boolean]> = [
    ['a live session', {}, 2_000_000, true],
    ['prompt=login asks again', { prompt: 'login' }, 1_000_001, false],
    ['within max_age', { maxAge: 10 }, 1_010_000, true],
    ['older than max_age', { maxAge: 10 }, 1_010_001, false],
  ];
  for (const [name, request, now, reusable] of sessions) it(`session: ${name}`, () => assert.equal(sessionReusable(request, at, now), reusable));
});

describe('interaction steps: once someone is signed in, one case per reason', () => {
  const refusal = { reason: 'patient_not_permitted' as const, description: 'this user may not open this patient' };
  // [case, facts, decision]
  const cases: Array<[string, Partial<SignedInFacts>, Decision]> = [
    ['everything settled: the code', {}, { step: 'finish' }],
    ['a disabled account', { disabled: true }, fail('access_denied', 'the account is disabled')],
    // RFC 9700 §4.11.2: a request that failed before anyone signed in sends its error now.
    ['a deferred request error', { requestError: { error: 'invalid_scope', description: 'scope is required' } }, fail('invalid_scope', 'scope is required')],
    ['a deferred request error without description', { requestError: { error: 'invalid_request' } }, fail('invalid_request', 'invalid_request')],
    ['the disabled account before the deferred error', { disabled: true, requestError: { error: 'invalid_request' } }, fail('access_denied', 'the account is disabled')],
    ['a refused EHR launch', { launchRefusal: refusal }, { step: 'fail', error: { error: 'access_denied', description: refusal.description }, refusal }],
    ['the refused launch before the patient choice', { launchRefusal: refusal, patient: null }, { step: 'fail', error: { error: 'access_denied', description: refusal.description }, refusal }],
    ['a practitioner picks the patient', { patient: null }, { step: 'pickPatient' }],
    ['prompt=none and a patient to pick', { patient: null, prompt: 'none' }, fail('interaction_required', 'a patient must be chosen')],
    ['a patient user opens their own record', { patient: null, ownPatient: 'own-1' }, { step: 'finish', ownPatient: 'own-1' }],
    ['their own record, then consent', { patient: null, ownPatient: 'own-1', consentRemembered: false }, { step: 'consent', ownPatient: 'own-1' }],
    ['no patient the user may open', { patient: null, listedPatients: 0 }, fail('access_denied', 'there is no patient this user may open')],
    ['no patient needed', { needsPatient: false, patient: null, listedPatients: 0 }, { step: 'finish' }],
    ['no remembered consent', { consentRemembered: false }, { step: 'consent' }],
    ['prompt=none without consent', { consentRemembered: false, prompt: 'none' }, fail('consent_required', 'the user has not approved this application')],
    ['prompt=none with everything settled', { prompt: 'none' }, { step: 'finish' }],
  ];
  for (const [name, facts, decision] of cases) it(name, () => assert.deepEqual(signedInStep({ ...READY, ...facts }), decision));
});
