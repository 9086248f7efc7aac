import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SmartScope } from '#oauth';
import { categorySubScopes, consentedScope, isMandatoryScope, offeredScopes } from './granular-scopes.js';

const LAB = 'http://terminology.hl7.org/CodeSystem/observation-category|laboratory';
const VITALS = 'http://terminology.hl7.org/CodeSystem/observation-category|vital-signs';
const PROBLEMS = 'http://terminology.hl7.org/CodeSystem/condition-category|problem-list-item';
const mandatory = (s: string) => ['openid', 'launch/patient'].includes(s);

describe('category sub-scopes offered at consent (SMART 2.2 granular scopes, SC-04)', () => {
  const cases: Array<[string, string[] | 'none']> = [
    ['patient/Observation.rs', [`patient/Observation.rs?category=${LAB}`, `patient/Observation.rs?category=${VITALS}`]],
    ['patient/Observation.read', [`patient/Observation.rs?category=${LAB}`]],
    ['user/Condition.cruds', [`user/Condition.cruds?category=${PROBLEMS}`]],
    ['system/Observation.rs', 'none'],
    ['patient/*.rs', 'none'],
    ['patient/Patient.rs', 'none'],
    [`patient/Observation.rs?category=${LAB}`, 'none'],
    ['openid', 'none'],
  ];
  for (const [scope, expected] of cases) {
    it(`${scope}: ${expected === 'none' ? 'nothing narrower' : 'its categories, v2, same permissions'}`, () => {
      const offered = categorySubScopes(SmartScope.parse(scope)!);
      if (expected === 'none') assert.deepEqual(offered, []);
      else for (const alt of expected) assert.ok(offered.includes(alt), `${alt} in ${offered.join(' ')}`);
      for (const alt of offered) assert.ok(SmartScope.parse(scope)!.covers(SmartScope.parse(alt)!), `${alt} is narrower than ${scope}`);
    });
  }

  it('a category the app asked for itself is not offered twice', () => {
    const offers = offeredScopes(`patient/Observation.rs patient/Observation.rs?category=${LAB}`);
    assert.equal(offers[0]!.alternatives.includes(`patient/Observation.rs?category=${LAB}`), false);
    assert.deepEqual(offers[1]!.alternatives, []);
  });

  it('grants exactly what stayed ticked: categories instead of the whole type', () => {
    const requested = 'launch/patient openid patient/Patient.rs patient/Observation.rs';
    const granted = consentedScope(requested, new Set(['patient/Patient.rs', `patient/Observation.rs?category=${LAB}`]), mandatory);
    assert.equal(granted.toString(), `launch/patient openid patient/Patient.rs patient/Observation.rs?category=${LAB}`);
  });

  it('the whole type and a category both ticked: both granted, as ticked', () => {
    const granted = consentedScope('patient/Observation.rs', new Set(['patient/Observation.rs', `patient/Observation.rs?category=${VITALS}`]), mandatory);
    assert.equal(granted.toString(), `patient/Observation.rs patient/Observation.rs?category=${VITALS}`);
  });

  it('ticked values that were not offered are ignored (no widening through the form)', () => {
    const granted = consentedScope('openid patient/Observation.rs', new Set(['patient/*.cruds', 'system/Observation.rs', 'patient/Observation.rs?category=x|y', 'patient/Observation.cruds?category=' + LAB]), mandatory);
    assert.equal(granted.toString(), 'openid');
  });
});

describe('isMandatoryScope (the consent page cannot untick them)', () => {
  const cases: Array<[string, boolean]> = [
    ['openid', true],
    ['fhirUser', true],
    ['launch', true],
    ['launch/patient', true],
    ['offline_access', true],
    ['online_access', false],
    ['launch/encounter', false],
    ['profile', false],
    ['patient/*.rs', false],
    ['OPENID', false],
  ];
  for (const [scope, mandatory] of cases) {
    it(`${scope}: ${mandatory}`, () => assert.equal(isMandatoryScope(scope), mandatory));
  }
});
