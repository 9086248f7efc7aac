import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SmartScope } from './smart-scope.js';
import { ScopeSet } from './scope-set.js';
import { negotiateScopes } from './scope-negotiation.js';

describe('SmartScope.parse', () => {
  const valid: Array<[string, Partial<SmartScope>]> = [
    ['patient/Observation.rs', { kind: 'resource', context: 'patient', resourceType: 'Observation', permissions: 'rs', version: 2 }],
    ['user/Patient.cruds', { kind: 'resource', context: 'user', permissions: 'cruds', version: 2 }],
    ['system/*.rs', { kind: 'resource', context: 'system', resourceType: '*', permissions: 'rs' }],
    ['patient/*.read', { kind: 'resource', permissions: 'rs', version: 1 }],
    ['patient/Observation.write', { kind: 'resource', permissions: 'cud', version: 1 }],
    ['system/*.*', { kind: 'resource', permissions: 'cruds', version: 1 }],
    ['patient/Observation.rs?category=http://terminology.hl7.org/CodeSystem/observation-category|laboratory', { kind: 'resource', query: 'category=http://terminology.hl7.org/CodeSystem/observation-category|laboratory' }],
    ['launch', { kind: 'launch' }],
    ['launch/patient', { kind: 'launch' }],
    ['launch/encounter', { kind: 'launch' }],
    ['openid', { kind: 'identity' }],
    ['fhirUser', { kind: 'identity' }],
    ['offline_access', { kind: 'access' }],
    ['online_access', { kind: 'access' }],
    ['admin', { kind: 'special' }],
    ['introspect', { kind: 'special' }],
    ['__custom', { kind: 'extension' }],
  ];
  for (const [raw, expected] of valid) {
    it(`accepts ${raw}`, () => {
      const scope = SmartScope.parse(raw);
      assert.ok(scope, raw);
      assert.equal(scope.toString(), raw);
      for (const [k, v] of Object.entries(expected)) assert.equal(scope[k as keyof SmartScope], v, `${raw} ${k}`);
    });
  }
  const invalid = [
    'patient/Observation.dus', 'patient/Observation.sr', 'patient/observation.rs', 'patient/*.', 'patient/Observation.rs?',
    'patient/Observation.rs?category', 'patient/Observation.read?category=x', 'group/Patient.rs', 'bogus', 'Patient.rs', 'patient/Observation.x',
  ];
  for (const raw of invalid) it(`refuses ${raw}`, () => assert.equal(SmartScope.parse(raw), null));
});

describe('SmartScope.covers', () => {
  const cases: Array<[string, string, boolean]> = [
    ['system/*.rs', 'system/Patient.read', true],
    ['system/*.rs', 'system/Patient.r', true],
    ['system/Patient.rs', 'system/*.rs', false],
    ['patient/Observation.rs', 'patient/Observation.rs?category=x|lab', true],
    ['patient/Observation.rs?category=x|lab', 'patient/Observation.rs', false],
    ['user/*.cruds', 'patient/Patient.r', false],
    ['system/*.r', 'system/Patient.rs', false],
    ['openid', 'openid', true],
    ['openid', 'fhirUser', false],
    ['launch/patient', 'launch', false],
  ];
  for (const [a, b, expected] of cases) {
    it(`${a} ${expected ? 'covers' : 'does not cover'} ${b}`, () => assert.equal(SmartScope.parse(a)!.covers(SmartScope.parse(b)!), expected));
  }
});

describe('ScopeSet.parse', () => {
  it('collapses duplicates and keeps order', () => assert.equal(ScopeSet.parse('openid  openid fhirUser').toString(), 'openid fhirUser'));
  it('is empty for undefined or blanks', () => assert.ok(ScopeSet.parse(undefined).isEmpty() && ScopeSet.parse('  ').isEmpty()));
  for (const bad of ['openid\tfhirUser', 'openid bogus', 'patient/Obsérvation.rs', 'a"b']) {
    it(`throws invalid_scope for ${JSON.stringify(bad)}`, () => assert.throws(() => ScopeSet.parse(bad), { error: 'invalid_scope' }));
  }
});

describe('negotiateScopes', () => {
  const cases: Array<[string, string, string, string[]]> = [
    ['system/Patient.rs', 'system/Patient.rs system/Observation.rs', 'system/Patient.rs', []],
    ['system/*.rs', 'system/Patient.rs system/Observation.rs', 'system/Patient.rs system/Observation.rs', []],
    ['system/Patient.read', 'system/*.rs', 'system/Patient.read', []],
    ['patient/Observation.cruds', 'patient/Observation.rs', 'patient/Observation.rs', []],
    ['system/Encounter.rs', 'system/Patient.rs', '', ['system/Encounter.rs']],
    ['admin system/Patient.rs', 'system/Patient.rs', 'system/Patient.rs', ['admin']],
  ];
  for (const [requested, allowed, granted, rejected] of cases) {
    it(`${requested} within ${allowed}`, () => {
      const result = negotiateScopes(ScopeSet.parse(requested), ScopeSet.parse(allowed));
      assert.equal(result.granted.toString(), granted);
      assert.deepEqual(result.rejected, rejected);
      assert.ok(result.granted.isSubsetOf(ScopeSet.parse(allowed)), 'never widens');
    });
  }
});
