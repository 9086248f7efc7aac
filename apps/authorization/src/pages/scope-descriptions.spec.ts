import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { describeScope } from './scope-descriptions.js';

describe('describeScope', () => {
  const titles: Array<[string, string]> = [
    // OpenID Connect and SMART launch scopes
    ['openid', 'Confirm that you are signed in'],
    ['fhirUser', 'Know who you are in the health record'],
    ['profile', 'See your name and basic profile'],
    ['launch', 'Start with what you have open'],
    ['launch/patient', 'Know which patient record is open'],
    ['launch/encounter', 'Know which visit is open'],
    ['offline_access', 'Keep access when you are not using the app'],
    ['online_access', 'Keep access while you stay signed in'],
    // SMART v1
    ['patient/Observation.read', 'Read your observations'],
    ['patient/MedicationRequest.read', 'Read your medication requests'],
    ['patient/AllergyIntolerance.write', 'Create, update and delete your allergies'],
    ['patient/*.read', 'Read all your health data'],
    ['patient/*.*', 'Create, read, update and delete all your health data'],
    ['user/*.write', 'Create, update and delete all health data you can access'],
    ['user/Observation.read', 'Read observations of patients you can access'],
    ['user/Practitioner.read', 'Read practitioners you can access'],
    ['system/Patient.read', 'Read all demographics in the system'],
    // SMART v2
    ['patient/Observation.rs', 'Read your observations'],
    ['patient/Observation.r', 'Read your observations'],
    ['patient/Observation.s', 'Search your observations'],
    ['patient/Patient.r', 'Read your demographics'],
    ['patient/Encounter.rs', 'Read your visits'],
    ['patient/DocumentReference.c', 'Create your documents'],
    ['patient/Immunization.rs', 'Read your immunizations'],
    ['patient/Procedure.rs', 'Read your procedures'],
    ['patient/DiagnosticReport.rs', 'Read your reports'],
    ['user/Condition.cruds', 'Create, read, update and delete conditions of patients you can access'],
    ['user/Condition.ud', 'Update and delete conditions of patients you can access'],
    ['system/*.rs', 'Read all health data in the system'],
    ['system/Observation.rs', 'Read all observations in the system'],
    ['patient/ResearchStudy.rs', 'Read your research study records'],
    // v2 query restrictions
    ['patient/Observation.rs?category=http://terminology.hl7.org/CodeSystem/observation-category|vital-signs', 'Read your observations (vital signs only)'],
    ['patient/Observation.rs?category=laboratory', 'Read your observations (lab results only)'],
    ['patient/Observation.rs?category=vital-signs,laboratory', 'Read your observations (vital signs or lab results only)'],
    ['user/Condition.rs?category=http://hl7.org/fhir/us/core/CodeSystem/condition-category|health-concern', 'Read conditions of patients you can access (health concerns only)'],
    ['patient/DocumentReference.rs?category=clinical-note', 'Read your documents (clinical notes only)'],
    ['patient/Observation.rs?category=http://example.org/other|vital-signs', 'Read your observations (category "vital-signs" only)'],
    ['patient/Observation.rs?category=survey-x', 'Read your observations (category "survey-x" only)'],
    ['patient/Observation.rs?code=http://loinc.org|1234-5', 'Read your observations (only where code = http://loinc.org|1234-5)'],
    // not understood: the scope itself
    ['launch/study', 'launch/study'],
    ['patient/Observation.sr', 'patient/Observation.sr'],
    ['patient/Observation.', 'patient/Observation.'],
    ['patient/Observation.read?category=laboratory', 'patient/Observation.read?category=laboratory'],
    ['patient/Observation.rs?category=', 'patient/Observation.rs?category='],
    ['practitioner/Observation.read', 'practitioner/Observation.read'],
    ['patient/observation.read', 'patient/observation.read'],
    ['constructor', 'constructor'],
    ['toString', 'toString'],
    ['https://example.org/custom', 'https://example.org/custom'],
  ];
  for (const [scope, title] of titles) {
    it(`${scope} -> ${title}`, () => assert.equal(describeScope(scope).title, title));
  }

  it('details the exact permissions and the context of clinical scopes', () => {
    assert.equal(describeScope('patient/Observation.rs').detail, 'Allowed: read and search. Only for the patient record in use.');
    assert.equal(
      describeScope('user/Condition.cud').detail,
      'Allowed: create, update and delete. Anything you are allowed to see yourself. The app can change information, not only look at it.',
    );
    assert.match(describeScope('system/*.rs').detail ?? '', /without anyone signed in/);
  });

  it('leaves unknown scopes without a detail', () => {
    assert.deepEqual(describeScope('urn:example:thing'), { title: 'urn:example:thing' });
  });

  it('returns a copy, so callers cannot alter the table', () => {
    describeScope('openid').title = 'changed';
    assert.equal(describeScope('openid').title, 'Confirm that you are signed in');
  });
});
