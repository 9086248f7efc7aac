import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SmartScope, type ScopeContext, type ScopeKind } from './smart-scope.js';

interface Expected {
  kind: ScopeKind;
  context?: ScopeContext;
  resourceType?: string;
  permissions?: string;
  query?: string;
  version?: 1 | 2;
}

function parsed(raw: string): SmartScope {
  const scope = SmartScope.parse(raw);
  assert.ok(scope, `expected ${JSON.stringify(raw)} to parse`);
  return scope;
}

const LAB = 'category=http://terminology.hl7.org/CodeSystem/observation-category|laboratory';

describe('SmartScope.parse: valid scopes', () => {
  // SMART App Launch 2.2 §scopes
  const cases: Array<[rule: string, raw: string, expected: Expected]> = [
    ['v2 read+search', 'patient/Observation.rs', { kind: 'resource', context: 'patient', resourceType: 'Observation', permissions: 'rs', version: 2 }],
    ['v2 all permissions', 'user/Patient.cruds', { kind: 'resource', context: 'user', resourceType: 'Patient', permissions: 'cruds', version: 2 }],
    ['v2 single letter c', 'patient/Observation.c', { kind: 'resource', permissions: 'c', version: 2 }],
    ['v2 single letter s', 'patient/Observation.s', { kind: 'resource', permissions: 's', version: 2 }],
    ['v2 gapped in-order subset', 'user/Observation.cds', { kind: 'resource', permissions: 'cds', version: 2 }],
    ['v2 write letters', 'user/Observation.cud', { kind: 'resource', permissions: 'cud', version: 2 }],
    ['system context', 'system/Patient.rs', { kind: 'resource', context: 'system', resourceType: 'Patient', permissions: 'rs', version: 2 }],
    ['wildcard type', 'system/*.rs', { kind: 'resource', context: 'system', resourceType: '*', permissions: 'rs', version: 2 }],
    ['single-letter type', 'patient/X.r', { kind: 'resource', resourceType: 'X', permissions: 'r' }],
    ['64-character type', `patient/A${'a'.repeat(63)}.r`, { kind: 'resource', resourceType: `A${'a'.repeat(63)}` }],
    ['v1 .read -> rs', 'patient/*.read', { kind: 'resource', context: 'patient', resourceType: '*', permissions: 'rs', version: 1 }],
    ['v1 .write -> cud', 'patient/Observation.write', { kind: 'resource', resourceType: 'Observation', permissions: 'cud', version: 1 }],
    ['v1 .* -> cruds', 'system/*.*', { kind: 'resource', resourceType: '*', permissions: 'cruds', version: 1 }],
    ['v1 typed .*', 'user/Patient.*', { kind: 'resource', resourceType: 'Patient', permissions: 'cruds', version: 1 }],
    ['query kept as-is', `patient/Observation.rs?${LAB}`, { kind: 'resource', permissions: 'rs', query: LAB, version: 2 }],
    ['query with several pairs', 'patient/Observation.rs?category=laboratory&status=final', { kind: 'resource', query: 'category=laboratory&status=final' }],
    ['query with modifier', 'user/Observation.rs?code:in=http://example.org/ValueSet/vs', { kind: 'resource', query: 'code:in=http://example.org/ValueSet/vs' }],
    ['query on wildcard type', 'patient/*.rs?_tag=abc', { kind: 'resource', resourceType: '*', query: '_tag=abc' }],
    ['bare launch', 'launch', { kind: 'launch' }],
    ['launch/patient', 'launch/patient', { kind: 'launch' }],
    ['launch/encounter', 'launch/encounter', { kind: 'launch' }],
    ['other launch type', 'launch/imagingstudy', { kind: 'launch' }],
    ['launch with role', 'launch/patient?role=https://example.org/role/subject', { kind: 'launch' }],
    ['launch with urn role', 'launch/encounter?role=urn:example:role', { kind: 'launch' }],
    ['openid', 'openid', { kind: 'identity' }],
    ['fhirUser', 'fhirUser', { kind: 'identity' }],
    ['profile', 'profile', { kind: 'identity' }],
    ['offline_access', 'offline_access', { kind: 'access' }],
    ['online_access', 'online_access', { kind: 'access' }],
    ['suite special admin', 'admin', { kind: 'special' }],
    ['suite special introspect', 'introspect', { kind: 'special' }],
    ['extension https URI', 'https://example.org/scopes/custom', { kind: 'extension' }],
    ['extension http URI', 'http://example.org/x', { kind: 'extension' }],
    ['extension __ prefix', '__custom', { kind: 'extension' }],
    ['extension __ prefix with punctuation', '__vendor:thing/x.y', { kind: 'extension' }],
  ];
  for (const [rule, raw, expected] of cases) {
    it(`${rule}: ${raw}`, () => {
      const scope = parsed(raw);
      assert.equal(scope.raw, raw);
      assert.equal(scope.toString(), raw);
      assert.equal(`${scope}`, raw);
      for (const key of ['kind', 'context', 'resourceType', 'permissions', 'query', 'version'] as const) {
        if (key in expected) assert.equal(scope[key], expected[key], `${raw}: ${key}`);
      }
      if (expected.kind !== 'resource') {
        for (const key of ['context', 'resourceType', 'permissions', 'query', 'version'] as const) {
          assert.equal(scope[key], undefined, `${raw}: ${key} only for resource scopes`);
        }
      } else if (expected.query === undefined) {
        assert.equal(scope.query, undefined, `${raw}: no query`);
      }
    });
  }

  it('is immutable', () => {
    const scope = parsed('patient/Observation.rs');
    assert.throws(() => {
      (scope as { permissions?: string }).permissions = 'cruds';
    }, TypeError);
    assert.equal(scope.permissions, 'rs');
  });
});

describe('SmartScope.parse: invalid scopes return null', () => {
  const cases: Array<[reason: string, raw: string]> = [
    ['out-of-order letters', 'patient/Observation.dus'],
    ['reversed letters', 'patient/Observation.sr'],
    ['repeated letter', 'patient/Observation.rrs'],
    ['unknown letter', 'patient/Observation.x'],
    ['valid letters plus unknown one', 'patient/Observation.rsx'],
    ['upper-case letters', 'patient/Observation.RS'],
    ['v1 word in wrong case', 'patient/Observation.Read'],
    ['unknown v1-like word', 'patient/Observation.all'],
    ['empty permissions', 'patient/*.'],
    ['missing permissions', 'patient/Observation'],
    ['double wildcard permissions', 'patient/*.**'],
    ['lower-case resource type', 'patient/observation.rs'],
    ['resource type with digit', 'patient/Observation2.rs'],
    ['65-character type', `patient/A${'a'.repeat(64)}.r`],
    ['empty resource type', 'patient/.rs'],
    ['unknown context', 'group/Patient.rs'],
    ['upper-case context', 'Patient/Observation.rs'],
    ['no context', 'Patient.rs'],
    ['extra path segment', 'patient/Observation/x.rs'],
    ['trailing dot', 'patient/Observation.rs.'],
    ['empty query', 'patient/Observation.rs?'],
    ['query without value', 'patient/Observation.rs?category'],
    ['query with empty value', 'patient/Observation.rs?category='],
    ['query with empty name', 'patient/Observation.rs?=laboratory'],
    ['query with empty pair', 'patient/Observation.rs?category=a&'],
    ['query with double ampersand', 'patient/Observation.rs?a=1&&b=2'],
    ['query value with =', 'patient/Observation.rs?a=b=c'],
    ['query on v1 scope', 'patient/Observation.read?category=x'],
    ['launch with upper-case type', 'launch/Patient'],
    ['launch with empty type', 'launch/'],
    ['bare launch with role', 'launch?role=https://example.org/r'],
    ['launch with empty role', 'launch/patient?role='],
    ['launch role not a URI', 'launch/patient?role=subject'],
    ['launch with unknown parameter', 'launch/patient?foo=bar'],
    ['launch role with extra parameter', 'launch/patient?role=urn:x&foo=bar'],
    ['identity in wrong case', 'OpenID'],
    ['fhiruser in wrong case', 'fhiruser'],
    ['unknown word', 'bogus'],
    ['empty string', ''],
    ['bare __', '__'],
    ['URI without host', 'https://'],
    ['non-http URI', 'urn:example:scope'],
    ['tab inside', 'openid\tfhirUser'],
    ['space inside', 'openid fhirUser'],
    ['non-ASCII', 'patient/Obsérvation.rs'],
    ['double quote', 'a"b'],
    ['backslash', '__a\\b'],
  ];
  for (const [reason, raw] of cases) {
    it(`${reason}: ${JSON.stringify(raw)}`, () => assert.equal(SmartScope.parse(raw), null));
  }
});

describe('SmartScope.covers', () => {
  const cases: Array<[rule: string, grant: string, asked: string, expected: boolean]> = [
    // identical
    ['identical resource', 'patient/Observation.rs', 'patient/Observation.rs', true],
    ['identical identity', 'openid', 'openid', true],
    ['identical special', 'admin', 'admin', true],
    ['identical extension', '__custom', '__custom', true],
    ['identical launch with role', 'launch/patient?role=urn:a', 'launch/patient?role=urn:a', true],
    // wildcard type
    ['wildcard covers a type, v1 normalised', 'system/*.rs', 'system/Patient.read', true],
    ['wildcard covers a type with fewer letters', 'system/*.rs', 'system/Patient.r', true],
    ['wildcard covers narrower wildcard', 'system/*.rs', 'system/*.r', true],
    ['type does not cover wildcard', 'system/Patient.rs', 'system/*.rs', false],
    ['type does not cover other type', 'system/Patient.rs', 'system/Observation.rs', false],
    // permissions
    ['fewer letters do not cover more', 'system/*.r', 'system/Patient.rs', false],
    ['cruds covers gapped subset', 'user/Patient.cruds', 'user/Patient.cds', true],
    ['disjoint letters', 'user/Patient.cud', 'user/Patient.rs', false],
    ['v1 .* covers v2 cruds', 'user/Patient.*', 'user/Patient.cruds', true],
    ['v2 cruds covers v1 .*', 'user/Patient.cruds', 'user/Patient.*', true],
    ['v1 .read covers v2 rs', 'patient/*.read', 'patient/Observation.rs', true],
    ['v1 .read does not cover v1 .write', 'patient/*.read', 'patient/*.write', false],
    ['v1 .write covers c', 'patient/Observation.write', 'patient/Observation.c', true],
    ['v1 .write does not cover r', 'patient/Observation.write', 'patient/Observation.r', false],
    // context
    ['user does not cover patient', 'user/*.cruds', 'patient/Patient.r', false],
    ['system does not cover user', 'system/*.cruds', 'user/Patient.r', false],
    ['patient does not cover system', 'patient/*.cruds', 'system/Patient.r', false],
    // query
    ['no query covers a query', 'patient/Observation.rs', `patient/Observation.rs?${LAB}`, true],
    ['wildcard without query covers a query', 'patient/*.cruds', 'patient/Observation.r?category=laboratory', true],
    ['query does not cover no query', `patient/Observation.rs?${LAB}`, 'patient/Observation.rs', false],
    ['same query covers fewer letters', 'patient/Observation.rs?category=lab', 'patient/Observation.r?category=lab', true],
    ['different query', 'patient/Observation.rs?category=lab', 'patient/Observation.rs?category=vital-signs', false],
    ['extra parameter is a different query', 'patient/Observation.rs?category=lab', 'patient/Observation.rs?category=lab&status=final', false],
    // kinds
    ['different kinds', 'openid', 'fhirUser', false],
    ['identity vs access', 'offline_access', 'online_access', false],
    ['special does not cover resource', 'admin', 'system/*.rs', false],
    ['resource does not cover special', 'system/*.cruds', 'admin', false],
    ['extension covers only itself', 'https://example.org/a', 'https://example.org/a/b', false],
    // launch
    ['launch/patient does not cover launch', 'launch/patient', 'launch', false],
    ['launch does not cover launch/patient', 'launch', 'launch/patient', false],
    ['launch/patient covers itself with a role', 'launch/patient', 'launch/patient?role=https://example.org/r', true],
    ['launch with role does not cover without', 'launch/patient?role=https://example.org/r', 'launch/patient', false],
    ['launch roles differ', 'launch/patient?role=urn:a', 'launch/patient?role=urn:b', false],
    ['launch types differ', 'launch/patient', 'launch/encounter?role=urn:a', false],
  ];
  for (const [rule, grant, asked, expected] of cases) {
    it(`${rule}: ${grant} ${expected ? 'covers' : 'does not cover'} ${asked}`, () => {
      assert.equal(parsed(grant).covers(parsed(asked)), expected);
    });
  }
});
