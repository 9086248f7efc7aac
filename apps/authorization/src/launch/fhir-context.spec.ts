import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { OAuthError } from '#oauth';
import { checkFhirContext } from './fhir-context.js';

function refused(items: unknown, description: RegExp): void {
  assert.throws(
    () => checkFhirContext(items),
    (err: unknown) => err instanceof OAuthError && err.error === 'invalid_request' && description.test(err.description ?? ''),
    JSON.stringify(items),
  );
}

describe('checkFhirContext (SMART App Launch 2.2 fhirContext items)', () => {
  it('absent stays absent; an empty array is empty', () => {
    assert.equal(checkFhirContext(undefined), undefined);
    assert.deepEqual(checkFhirContext([]), []);
  });

  it('keeps valid items exactly', () => {
    const items = [
      { reference: 'DiagnosticReport/dr-1' },
      { reference: 'Observation/o.1', role: 'https://example.org/roles/focus' },
      { reference: 'Patient/p-2', role: 'https://example.org/roles/sibling' },
      { reference: 'ImagingStudy/i1', role: 'launch' },
      { canonical: 'http://example.org/Questionnaire/phq-9|1.0', type: 'Questionnaire' },
      { canonical: 'urn:uuid:53fefa32-fcbb-4ff8-8a92-55ee120877b7' },
      { identifier: { system: 'urn:oid:1.2.3', value: 'abc' }, type: 'Device' },
      { identifier: { value: 'abc' } },
    ];
    assert.deepEqual(checkFhirContext(items), items);
  });

  // [case, items, description]
  const cases: Array<[string, unknown, RegExp]> = [
    ['not an array', { reference: 'Observation/1' }, /must be an array/],
    ['more than 50 items', Array.from({ length: 51 }, (_, i) => ({ reference: `Observation/${i}` })), /more than 50/],
    ['more than 2 kB of JSON (it is signed into the access token)', Array.from({ length: 40 }, (_, i) => ({ canonical: `http://example.org/Questionnaire/${'q'.repeat(40)}-${i}` })), /larger than 2048/],
    ['a null item', [null], /fhirContext\[0\] must be an object/],
    ['a string item', ['Observation/1'], /must be an object/],
    ['an array item', [[{ reference: 'Observation/1' }]], /must be an object/],
    ['none of reference, canonical, identifier', [{ type: 'Observation' }], /exactly one of/],
    ['two of them', [{ reference: 'Observation/1', canonical: 'http://x.example/Q/1' }], /exactly one of/],
    ['an unknown member', [{ reference: 'Observation/1', display: 'x' }], /unknown member "display"/],
    ['an absolute reference', [{ reference: 'https://fhir.example/Observation/1' }], /relative reference/],
    ['a reference without id', [{ reference: 'Observation' }], /relative reference/],
    ['a lower-case type in reference', [{ reference: 'observation/1' }], /relative reference/],
    ['a reference id too long', [{ reference: `Observation/${'a'.repeat(65)}` }], /relative reference/],
    ['a non-string reference', [{ reference: 42 }], /relative reference/],
    ['a relative canonical', [{ canonical: 'Questionnaire/1' }], /canonical URL/],
    ['a canonical with a space', [{ canonical: 'http://x.example/Q 1' }], /canonical URL/],
    ['a canonical too long', [{ canonical: `http://x.example/${'a'.repeat(2048)}` }], /canonical URL/],
    ['an identifier without value', [{ identifier: { system: 'urn:x' } }], /Identifier with a value/],
    ['an identifier with an empty value', [{ identifier: { value: '' } }], /Identifier with a value/],
    ['an identifier that is a string', [{ identifier: 'abc' }], /Identifier with a value/],
    ['an identifier that is null', [{ identifier: null }], /Identifier with a value/],
    ['an identifier that is an array', [{ identifier: ['abc'] }], /Identifier with a value/],
    ['an identifier system that is not a URI', [{ identifier: { system: 'not a uri', value: 'x' } }], /system must be a URI/],
    ['a type that is not a resource type', [{ canonical: 'http://x.example/Q/1', type: 'questionnaire' }], /FHIR resource type/],
    ['an empty role', [{ reference: 'Observation/1', role: '' }], /role must be/],
    ['a relative role', [{ reference: 'Observation/1', role: 'focus' }], /role must be/],
    ['a non-string role', [{ reference: 'Observation/1', role: 1 }], /role must be/],
    ['a Patient without role (it belongs in patient)', [{ reference: 'Patient/1' }], /goes in patient/],
    ['a Patient with role launch', [{ reference: 'Patient/1', role: 'launch' }], /goes in patient/],
    ['an Encounter without role', [{ reference: 'Encounter/1' }], /goes in encounter/],
    ['a Patient by identifier and type', [{ identifier: { value: 'mrn-1' }, type: 'Patient' }], /goes in patient/],
  ];
  for (const [name, items, description] of cases) it(`refuses ${name}`, () => refused(items, description));

  it('names the failing item by index', () => {
    refused([{ reference: 'Observation/1' }, { reference: 'nope' }], /fhirContext\[1\]/);
  });

  it('drops nothing silently and adds nothing', () => {
    const out = checkFhirContext([{ identifier: { system: 'urn:x', value: 'v' } }])!;
    assert.deepEqual(Object.keys(out[0]!), ['identifier']);
  });
});
