import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { negotiateScopes } from './scope-negotiation.js';
import { ScopeSet } from './scope-set.js';

const LAB = 'category=http://terminology.hl7.org/CodeSystem/observation-category|laboratory';

describe('negotiateScopes', () => {
  const cases: Array<[rule: string, requested: string, allowed: string, granted: string, rejected: string[]]> = [
    // 1. covered: granted exactly as requested
    ['identical scope', 'system/Patient.rs', 'system/Patient.rs system/Observation.rs', 'system/Patient.rs', []],
    ['covered by a wildcard', 'system/Patient.rs', 'system/*.rs', 'system/Patient.rs', []],
    ['v1 request echoed as v1', 'system/Patient.read', 'system/*.rs', 'system/Patient.read', []],
    ['v1 wildcard request echoed as v1', 'patient/*.read', 'patient/*.cruds', 'patient/*.read', []],
    ['v2 request within v1 allowance', 'user/Observation.cd', 'user/Observation.*', 'user/Observation.cd', []],
    ['query request covered by unqueried allowance', `patient/Observation.rs?${LAB}`, 'patient/Observation.rs', `patient/Observation.rs?${LAB}`, []],
    ['non-resource scopes granted when identical', 'openid fhirUser launch/patient offline_access', 'launch/patient openid fhirUser offline_access',
      'openid fhirUser launch/patient offline_access', []],
    ['launch with role within launch', 'launch/patient?role=urn:r', 'launch/patient', 'launch/patient?role=urn:r', []],
    ['request order kept', 'system/Observation.rs system/Patient.rs', 'system/Patient.rs system/Observation.rs',
      'system/Observation.rs system/Patient.rs', []],
    // 2. wider resource request narrowed to the allowed scopes it covers
    ['wildcard narrowed to allowed types', 'system/*.rs', 'system/Patient.rs system/Observation.r', 'system/Patient.rs system/Observation.r', []],
    ['narrowed keeps the allowed raw form (v1)', 'system/*.cruds', 'system/Patient.read', 'system/Patient.read', []],
    ['unqueried request narrowed to allowed query', 'patient/Observation.rs', `patient/Observation.rs?${LAB}`, `patient/Observation.rs?${LAB}`, []],
    ['narrowing does not duplicate across requests', 'system/*.rs system/Patient.rs', 'system/Patient.rs', 'system/Patient.rs', []],
    ['narrowing ignores non-resource allowances', 'system/*.rs', 'admin openid system/Patient.r', 'system/Patient.r', []],
    // 3. partial permission narrowing to a v2 intersection
    ['shared letters in cruds order', 'patient/Observation.cruds', 'patient/Observation.rs', 'patient/Observation.rs', []],
    ['v1 request narrowed to v2 letters', 'patient/Observation.*', 'patient/Observation.rs', 'patient/Observation.rs', []],
    ['v1 request narrowed to the allowed v2 scope', 'patient/Observation.read', 'patient/Observation.r', 'patient/Observation.r', []],
    ['partial overlap with v1 allowance', 'patient/Observation.rs', 'patient/Observation.write patient/Observation.r', 'patient/Observation.r', []],
    ['typed request within partial wildcard', 'system/Patient.cruds', 'system/*.rs', 'system/Patient.rs', []],
    ['wildcard request within partial type', 'system/*.rs', 'system/Patient.cruds', 'system/Patient.rs', []],
    ['request query kept while narrowing letters', 'patient/Observation.cruds?category=lab', 'patient/Observation.rs', 'patient/Observation.rs?category=lab', []],
    ['allowed query kept while narrowing letters', 'patient/Observation.cruds', 'patient/Observation.rs?category=lab', 'patient/Observation.rs?category=lab', []],
    ['covered and partial allowances combined', 'system/*.rs', 'system/Patient.rs system/Observation.cruds', 'system/Patient.rs system/Observation.rs', []],
    ['redundant intersections dropped', 'system/Patient.cruds', 'system/*.rs system/Patient.r', 'system/Patient.rs', []],
    ['complementary allowances both granted', 'system/Patient.cruds', 'system/Patient.cr system/Patient.uds', 'system/Patient.cr system/Patient.uds', []],
    // rejected
    ['other type', 'system/Encounter.rs', 'system/Patient.rs', '', ['system/Encounter.rs']],
    ['disjoint letters', 'patient/Observation.cud', 'patient/Observation.rs', '', ['patient/Observation.cud']],
    ['other context', 'user/Patient.rs', 'patient/*.cruds system/*.cruds', '', ['user/Patient.rs']],
    ['different queries are not combined', 'patient/Observation.rs?category=lab', 'patient/Observation.rs?category=vital-signs', '',
      ['patient/Observation.rs?category=lab']],
    ['each requested scope negotiated on its own',
      'patient/Observation.rs?a=1 patient/Observation.rs', 'patient/Observation.rs?b=2', 'patient/Observation.rs?b=2', ['patient/Observation.rs?a=1']],
    ['non-resource scope not allowed', 'admin system/Patient.rs', 'system/Patient.rs', 'system/Patient.rs', ['admin']],
    ['launch not widened from role', 'launch/patient', 'launch/patient?role=urn:r', '', ['launch/patient']],
    ['bare launch is not launch/patient', 'launch', 'launch/patient', '', ['launch']],
    ['extension scope needs an identical allowance', '__a https://example.org/s', '__b https://example.org/s', 'https://example.org/s', ['__a']],
    ['nothing allowed', 'openid system/*.rs', '', '', ['openid', 'system/*.rs']],
    ['nothing requested', '', 'system/*.rs', '', []],
  ];
  for (const [rule, requested, allowed, granted, rejected] of cases) {
    it(`${rule}: [${requested}] within [${allowed}]`, () => {
      const requestedSet = ScopeSet.parse(requested);
      const allowedSet = ScopeSet.parse(allowed);
      const result = negotiateScopes(requestedSet, allowedSet);
      assert.equal(result.granted.toString(), granted);
      assert.deepEqual(result.rejected, rejected);
      assert.ok(result.granted.isSubsetOf(allowedSet), 'never wider than allowed');
      assert.ok(result.granted.isSubsetOf(requestedSet), 'never wider than requested');
    });
  }
});

describe('negotiateScopes: never widens (exhaustive over a pool)', () => {
  const pool = [
    'system/*.rs', 'system/*.read', 'system/*.cruds', 'system/Patient.rs', 'system/Patient.c', 'system/Patient.write',
    'system/Observation.rs?category=lab', 'system/Observation.cruds', 'system/Observation.rs?category=vital-signs', 'system/*.s?_tag=x',
    'patient/*.rs', 'user/Patient.cruds', 'launch', 'launch/patient', 'launch/patient?role=urn:r', 'openid', 'admin', '__x',
  ];
  const subsets: string[] = [];
  for (let i = 0; i < pool.length; i++) {
    subsets.push(pool[i]!);
    for (let j = i + 1; j < pool.length; j += 3) subsets.push(`${pool[i]} ${pool[j]}`);
  }

  it(`holds for ${subsets.length * subsets.length} request/allowance pairs`, () => {
    for (const requested of subsets) {
      for (const allowed of subsets) {
        const requestedSet = ScopeSet.parse(requested);
        const allowedSet = ScopeSet.parse(allowed);
        const { granted, rejected } = negotiateScopes(requestedSet, allowedSet);
        const context = `[${requested}] within [${allowed}] -> [${granted}] / [${rejected.join(' ')}]`;
        assert.ok(granted.isSubsetOf(allowedSet), `wider than allowed: ${context}`);
        assert.ok(granted.isSubsetOf(requestedSet), `wider than requested: ${context}`);
        for (const raw of rejected) assert.ok(requestedSet.has(raw), `rejected only requested scopes: ${context}`);
        if (requestedSet.isSubsetOf(allowedSet)) {
          assert.equal(granted.toString(), requestedSet.toString(), `covered request granted as-is: ${context}`);
          assert.deepEqual(rejected, [], context);
        }
      }
    }
  });
});
