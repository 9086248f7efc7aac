import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { OAuthError } from '#oauth';
import { authorizationContextOf, MAX_CARRIED_EXTENSIONS_BYTES } from './authorization-extensions.rule.js';

const B2B = {
  version: '1',
  subject_name: 'Dr. Bones',
  subject_id: 'urn:oid:2.16.840.1.113883.4.6#1234567890',
  subject_role: 'http://nucc.org/provider-taxonomy#207Q00000X',
  organization_name: 'Example Payer',
  organization_id: 'https://payer.example/org',
  purpose_of_use: ['urn:oid:2.16.840.1.113883.5.8#TREAT'],
};
const required = { supported: ['hl7-b2b'], required: ['hl7-b2b'] };
const optional = { supported: ['hl7-b2b'], required: [] };
const tefca = { supported: ['hl7-b2b', 'tefca-ias', 'tefca_smart'], required: [] };

describe('UDAP Authorization Extension Objects at /token (UDAP Security 2.0 §5.2.1.1)', () => {
  it('carries a valid hl7-b2b object (its known members) and summarises purpose of use and organization', () => {
    const context = authorizationContextOf({ 'hl7-b2b': { ...B2B, unknown_member: 'dropped' }, 'acme-ext': { anything: 1 } }, required)!;
    assert.deepEqual(context.claim, { 'hl7-b2b': B2B });
    assert.deepEqual(context.summary, {
      extensions: ['hl7-b2b'],
      purpose_of_use: B2B.purpose_of_use,
      organization_id: B2B.organization_id,
      organization_name: B2B.organization_name,
      subject_name: B2B.subject_name,
      subject_id: B2B.subject_id,
      subject_role: B2B.subject_role,
    });
  });

  it('carries nothing when no supported extension was sent and none is required', () => {
    assert.equal(authorizationContextOf(undefined, optional), undefined);
    assert.equal(authorizationContextOf({ 'tefca-ias': { version: '1' } }, optional), undefined, 'an unsupported extension is ignored');
  });

  it('answers a missing required extension with invalid_grant and extensions_required', () => {
    for (const given of [undefined, {}, { 'acme-ext': {} }]) {
      assert.throws(() => authorizationContextOf(given, required), (err: OAuthError) => {
        assert.equal(err.error, 'invalid_grant');
        assert.equal(err.status, 400);
        assert.deepEqual(err.toBody().extensions_required, ['hl7-b2b']);
        assert.match(err.description ?? '', /hl7-b2b/);
        return true;
      });
    }
  });

  it('reads the TEFCA objects when configured', () => {
    const ias = { version: '1', purpose_of_use: 'T-IAS', user_information: { resourceType: 'RelatedPerson' }, patient_information: { resourceType: 'Patient' }, id_token: 'eyJ...' };
    const smart = { version: '1', purpose_of_use: 'T-TRTMNT' };
    const context = authorizationContextOf({ 'tefca-ias': ias, tefca_smart: smart }, tefca)!;
    assert.deepEqual(context.claim, { 'tefca-ias': ias, tefca_smart: smart });
    assert.deepEqual(context.summary, { extensions: ['tefca-ias', 'tefca_smart'], purpose_of_use: ['T-IAS', 'T-TRTMNT'] });
  });

  const refusals: Array<[string, unknown, RegExp, typeof required?]> = [
    ['extensions that are not an object', ['hl7-b2b'], /extensions must be a JSON object/],
    ['hl7-b2b that is not an object', { 'hl7-b2b': 'B2B' }, /extensions.hl7-b2b must be a JSON object/],
    ['no version', { 'hl7-b2b': { ...B2B, version: undefined } }, /hl7-b2b.version is required: the string "1"/],
    ['version 2', { 'hl7-b2b': { ...B2B, version: '2' } }, /hl7-b2b.version/],
    ['version as a number', { 'hl7-b2b': { ...B2B, version: 1 } }, /hl7-b2b.version/],
    ['no organization_id', { 'hl7-b2b': { ...B2B, organization_id: undefined } }, /hl7-b2b.organization_id is required: a URI/],
    ['an organization_id that is not a URI', { 'hl7-b2b': { ...B2B, organization_id: 'Example Payer' } }, /organization_id must be an absolute URI/],
    ['no purpose_of_use', { 'hl7-b2b': { ...B2B, purpose_of_use: undefined } }, /purpose_of_use is required/],
    ['an empty purpose_of_use', { 'hl7-b2b': { ...B2B, purpose_of_use: [] } }, /purpose_of_use must be an array of 1 to 32 non-empty strings/],
    ['purpose_of_use as a string', { 'hl7-b2b': { ...B2B, purpose_of_use: 'TREAT' } }, /purpose_of_use must be an array/],
    ['a subject_name that is not a string', { 'hl7-b2b': { ...B2B, subject_name: 7 } }, /subject_name must be a non-empty string/],
    ['consent_reference without consent_policy', { 'hl7-b2b': { ...B2B, consent_reference: ['https://payer.example/fhir/Consent/1'] } }, /consent_reference is allowed only with consent_policy/],
    ['a consent_reference that is not a URL', { 'hl7-b2b': { ...B2B, consent_policy: ['urn:policy:1'], consent_reference: ['Consent/1'] } }, /consent_reference must hold absolute URLs/],
    ['tefca-ias without the patient', { 'tefca-ias': { version: '1', purpose_of_use: 'T-IAS', user_information: {} } }, /tefca-ias.patient_information is required/, tefca],
    ['tefca-ias with another purpose', { 'tefca-ias': { version: '1', purpose_of_use: 'T-TRTMNT', user_information: {}, patient_information: {} } }, /tefca-ias.purpose_of_use is required: the string "T-IAS"/, tefca],
    ['tefca_smart without a purpose', { tefca_smart: { version: '1' } }, /tefca_smart.purpose_of_use is required/, tefca],
    ['objects too large for an access token', { 'hl7-b2b': { ...B2B, purpose_of_use: Array.from({ length: 8 }, (_, i) => `urn:purpose:${i}:${'x'.repeat(600)}`) } }, new RegExp(`at most ${MAX_CARRIED_EXTENSIONS_BYTES} bytes`)],
  ];
  for (const [name, extensions, message, policy] of refusals) {
    it(`refuses ${name} with invalid_grant`, () => {
      assert.throws(() => authorizationContextOf(extensions, policy ?? optional), (err: OAuthError) => {
        assert.equal(err.error, 'invalid_grant');
        assert.match(err.description ?? '', message);
        return true;
      });
    });
  }
});
