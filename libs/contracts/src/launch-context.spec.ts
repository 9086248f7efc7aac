import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { launchContextClaimsOf, mistypedLaunchContextClaims } from './launch-context.js';

const whole = {
  patient: 'p1',
  encounter: 'e1',
  fhirUser: 'https://fhir.example/Practitioner/9',
  need_patient_banner: false,
  smart_style_url: 'https://ehr.example/style.json',
  fhirContext: [{ reference: 'DiagnosticReport/1' }],
  intent: 'reconcile',
};

describe('the launch-context codec (SMART App Launch 2.2, token-introspection IN-03/IN-04)', () => {
  it('keeps every well-typed claim', () => {
    const payload: Record<string, unknown> = { ...whole, sub: 'u1', scope: 'openid' };
    assert.deepEqual(launchContextClaimsOf(payload), whole);
    assert.deepEqual(mistypedLaunchContextClaims(whole), []);
  });

  const mistyped: Array<[string, Record<string, unknown>, string]> = [
    ['a numeric patient', { patient: 42 }, 'patient'],
    ['a null encounter', { encounter: null }, 'encounter'],
    ['a fhirUser object', { fhirUser: { reference: 'Practitioner/9' } }, 'fhirUser'],
    ['need_patient_banner as a string', { need_patient_banner: 'yes' }, 'need_patient_banner'],
    ['a numeric smart_style_url', { smart_style_url: 1 }, 'smart_style_url'],
    ['fhirContext of strings', { fhirContext: ['DiagnosticReport/1'] }, 'fhirContext'],
    ['fhirContext holding an array', { fhirContext: [[{}]] }, 'fhirContext'],
    ['fhirContext that is an object', { fhirContext: { reference: 'x' } }, 'fhirContext'],
    ['a numeric intent', { intent: 3 }, 'intent'],
  ];
  for (const [name, source, claim] of mistyped) {
    it(`leaves out and names ${name}`, () => {
      assert.deepEqual(launchContextClaimsOf({ ...whole, ...source }), Object.fromEntries(Object.entries(whole).filter(([k]) => k !== claim)));
      assert.deepEqual(mistypedLaunchContextClaims({ ...whole, ...source }), [claim]);
    });
  }
});
