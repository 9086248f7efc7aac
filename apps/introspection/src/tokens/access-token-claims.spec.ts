import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { accessTokenClaimsOf, activeIntrospectionResponse, grantsIntrospection } from './access-token-claims.js';

const base = { iss: 'https://auth.example', sub: 'c1', aud: 'https://fhir.example', client_id: 'c1', scope: 'system/*.rs', jti: 'j1', iat: 1000, exp: 1300 };
const expected = { active: true, scope: 'system/*.rs', client_id: 'c1', sub: 'c1', exp: 1300, iat: 1000, iss: 'https://auth.example', aud: 'https://fhir.example', token_type: 'Bearer', jti: 'j1' };

describe('introspection response shaping (RFC 7662 §2.2, SMART token-introspection)', () => {
  const shaped: Array<[string, Record<string, unknown>, Record<string, unknown>]> = [
    ['a backend-services token', base, expected],
    ['launch context is echoed', { ...base, patient: 'p1', encounter: 'e1', fhirUser: 'Practitioner/9' }, { ...expected, patient: 'p1', encounter: 'e1', fhirUser: 'Practitioner/9' }],
    [
      'the whole SMART launch context is echoed',
      { ...base, patient: 'p1', fhirContext: [{ reference: 'DiagnosticReport/1' }], intent: 'reconcile', need_patient_banner: false, smart_style_url: 'https://ehr.example/style.json' },
      { ...expected, patient: 'p1', fhirContext: [{ reference: 'DiagnosticReport/1' }], intent: 'reconcile', need_patient_banner: false, smart_style_url: 'https://ehr.example/style.json' },
    ],
    ['context claims that are not strings are left out', { ...base, patient: 42, encounter: null }, expected],
    ['mistyped launch context is left out', { ...base, need_patient_banner: 'yes', fhirContext: ['DiagnosticReport/1'], intent: 3 }, expected],
    ['claims we do not echo stay out', { ...base, nbf: 999, secret: 'no' }, expected],
    ['a DPoP-bound token is DPoP with its cnf, and nothing else of cnf (RFC 9449 §6.2)', { ...base, cnf: { jkt: 'x', x5t: 'y' } }, { ...expected, token_type: 'DPoP', cnf: { jkt: 'x' } }],
    ['an audience array is kept', { ...base, aud: ['a', 'b'] }, { ...expected, aud: ['a', 'b'] }],
    ['grant_id is not echoed', { ...base, grant_id: 'g1', patient: 'p1' }, { ...expected, patient: 'p1' }],
    [
      "a UDAP client's authorization extension objects are echoed (UDAP B2B)",
      { ...base, extensions: { 'hl7-b2b': { version: '1', organization_id: 'urn:oid:1.2', purpose_of_use: ['TREAT'] } } },
      { ...expected, extensions: { 'hl7-b2b': { version: '1', organization_id: 'urn:oid:1.2', purpose_of_use: ['TREAT'] } } },
    ],
  ];
  for (const [name, payload, response] of shaped) {
    it(name, () => {
      const claims = accessTokenClaimsOf(payload);
      assert.ok(claims);
      assert.deepEqual(activeIntrospectionResponse(claims), response);
    });
  }

  const rejected: Array<[string, Record<string, unknown>]> = [
    ['no jti', { ...base, jti: undefined }],
    ['no client_id', { ...base, client_id: undefined }],
    ['a numeric sub', { ...base, sub: 7 }],
    ['no scope', { ...base, scope: undefined }],
    ['a string exp', { ...base, exp: '1300' }],
    ['no iat', { ...base, iat: undefined }],
    ['an empty audience array', { ...base, aud: [] }],
    ['an audience array with a number', { ...base, aud: ['a', 1] }],
    ['a grant_id that is not a string', { ...base, grant_id: 7 }],
    ['a cnf without jkt', { ...base, cnf: { x5t: 'y' } }],
    ['a cnf that is not an object', { ...base, cnf: 'x' }],
    ['a null cnf', { ...base, cnf: null }],
    ['extensions that are not an object', { ...base, extensions: ['hl7-b2b'] }],
    ['an extension object that is not an object', { ...base, extensions: { 'hl7-b2b': 'B2B' } }],
  ];
  it('reads grant_id when the token carries one', () => {
    assert.equal(accessTokenClaimsOf({ ...base, grant_id: 'g1' })?.grant_id, 'g1');
    assert.equal(accessTokenClaimsOf(base)?.grant_id, undefined);
  });

  for (const [name, payload] of rejected) {
    it(`a token with ${name} is not an access token of ours`, () => assert.equal(accessTokenClaimsOf(payload), null));
  }

  const privileged: Array<[string | undefined, boolean]> = [
    ['introspect', true],
    ['system/*.rs introspect', true],
    ['admin', true],
    ['system/*.rs', false],
    ['introspection', false],
    ['', false],
    [undefined, false],
  ];
  for (const [scope, result] of privileged) {
    it(`scope ${JSON.stringify(scope)} ${result ? 'may' : 'may not'} introspect any token`, () => assert.equal(grantsIntrospection(scope), result));
  }
});
