import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidScope } from '../errors/oauth-errors.js';
import { ScopeSet } from './scope-set.js';
import { SmartScope } from './smart-scope.js';

function scope(raw: string): SmartScope {
  const parsed = SmartScope.parse(raw);
  assert.ok(parsed, raw);
  return parsed;
}

// RFC 6749 §5.2: error_description = 1*( %x20-21 / %x23-5B / %x5D-7E )
const ERROR_DESCRIPTION = /^[\x20-\x21\x23-\x5B\x5D-\x7E]+$/;

describe('ScopeSet.parse: accepted', () => {
  const cases: Array<[rule: string, input: string | undefined, raws: string[]]> = [
    ['undefined is empty', undefined, []],
    ['empty string is empty', '', []],
    ['only spaces is empty', '   ', []],
    ['single scope', 'openid', ['openid']],
    ['keeps request order', 'fhirUser openid launch', ['fhirUser', 'openid', 'launch']],
    ['collapses duplicates to first occurrence', 'openid fhirUser openid', ['openid', 'fhirUser']],
    ['tolerates repeated, leading and trailing spaces', '  openid   fhirUser ', ['openid', 'fhirUser']],
    ['keeps v1 and v2 forms as given', 'patient/*.read patient/*.rs', ['patient/*.read', 'patient/*.rs']],
    ['mixed kinds', 'launch/patient openid fhirUser offline_access patient/Observation.rs?category=laboratory __x admin',
      ['launch/patient', 'openid', 'fhirUser', 'offline_access', 'patient/Observation.rs?category=laboratory', '__x', 'admin']],
  ];
  for (const [rule, input, raws] of cases) {
    it(`${rule}: ${JSON.stringify(input)}`, () => {
      const set = ScopeSet.parse(input);
      assert.deepEqual(set.raws(), raws);
      assert.equal(set.size, raws.length);
      assert.equal(set.isEmpty(), raws.length === 0);
      assert.equal(set.toString(), raws.join(' '));
    });
  }
});

describe('ScopeSet.parse: refused with invalid_scope', () => {
  const cases: Array<[reason: string, input: string, named: string]> = [
    ['tab separator', 'openid\tfhirUser', "'openid<U+0009>fhirUser'"],
    ['newline separator', 'openid\nfhirUser', "'openid<U+000A>fhirUser'"],
    ['NUL character', 'openid\u0000', "'openid<U+0000>'"],
    ['DEL character', 'openid\u007f', "'openid<U+007F>'"],
    ['non-breaking space separator', 'openid\u00a0fhirUser', "'openid<U+00A0>fhirUser'"],
    ['non-ASCII letter', 'patient/Obsérvation.rs', "'patient/Obs<U+00E9>rvation.rs'"],
    ['double quote', 'openid a"b', "'a<U+0022>b'"],
    ['backslash', 'openid a\\b', "'a<U+005C>b'"],
    ['unknown scope', 'openid bogus', "'bogus'"],
    ['first bad scope is named', 'openid bogus patient/Observation.dus', "'bogus'"],
    ['out-of-order permissions', 'patient/Observation.dus', "'patient/Observation.dus'"],
    ['lower-case resource type', 'patient/observation.rs', "'patient/observation.rs'"],
    ['empty permissions', 'patient/*.', "'patient/*.'"],
    ['empty query', 'patient/Observation.rs?', "'patient/Observation.rs?'"],
    ['query without value', 'patient/Observation.rs?category', "'patient/Observation.rs?category'"],
    ['long scope is cut', `__${'x'.repeat(300)}\t`, `'__${'x'.repeat(62)}...'`],
  ];
  for (const [reason, input, named] of cases) {
    it(`${reason}: ${JSON.stringify(input).slice(0, 60)}`, () => {
      assert.throws(
        () => ScopeSet.parse(input),
        (err: unknown) => {
          assert.ok(err instanceof InvalidScope);
          assert.equal(err.error, 'invalid_scope');
          assert.ok(err.description?.includes(named), `${err.description} should name ${named}`);
          assert.match(err.description ?? '', ERROR_DESCRIPTION);
          return true;
        },
      );
    });
  }

  it('refuses a non-string at runtime', () => {
    assert.throws(() => ScopeSet.parse(['openid', 'fhirUser'] as unknown as string), InvalidScope);
  });
});

describe('ScopeSet API', () => {
  const set = ScopeSet.parse('system/Patient.rs openid system/*.read');

  const cases: Array<[rule: string, check: () => void]> = [
    ['has is by exact raw string', () => {
      assert.equal(set.has('openid'), true);
      assert.equal(set.has('system/*.read'), true);
      assert.equal(set.has('system/*.rs'), false, 'no semantic lookup');
      assert.equal(set.has('fhirUser'), false);
    }],
    ['values are in order and a fresh array', () => {
      const values = set.values();
      assert.deepEqual(values.map((s) => s.raw), ['system/Patient.rs', 'openid', 'system/*.read']);
      values.pop();
      assert.equal(set.size, 3);
    }],
    ['raws are a fresh array', () => {
      set.raws().pop();
      assert.equal(set.raws().length, 3);
    }],
    ['iterates in order', () => {
      assert.deepEqual([...set].map(String), ['system/Patient.rs', 'openid', 'system/*.read']);
      assert.deepEqual([...set].map(String), ['system/Patient.rs', 'openid', 'system/*.read'], 'iterable twice');
    }],
    ['of collapses duplicates by raw', () => {
      const of = ScopeSet.of([scope('openid'), scope('fhirUser'), scope('openid')]);
      assert.deepEqual(of.raws(), ['openid', 'fhirUser']);
      assert.equal(of.size, 2);
    }],
    ['of an empty iterable is empty', () => assert.ok(ScopeSet.of([]).isEmpty())],
    ['union keeps order and drops duplicates', () => {
      const union = set.union(ScopeSet.parse('openid fhirUser system/Patient.rs'));
      assert.equal(union.toString(), 'system/Patient.rs openid system/*.read fhirUser');
    }],
    ['union leaves operands unchanged', () => {
      const other = ScopeSet.parse('fhirUser');
      set.union(other);
      assert.equal(set.size, 3);
      assert.equal(other.size, 1);
    }],
    ['filter keeps order', () => {
      assert.equal(set.filter((s) => s.kind === 'resource').toString(), 'system/Patient.rs system/*.read');
      assert.ok(set.filter(() => false).isEmpty());
    }],
    ['subset by covering, not by raw', () => {
      assert.ok(ScopeSet.parse('system/Patient.r system/Observation.rs').isSubsetOf(ScopeSet.parse('system/*.read')));
    }],
    ['not a subset when one scope is uncovered', () => {
      assert.equal(ScopeSet.parse('system/Patient.r openid').isSubsetOf(ScopeSet.parse('system/*.rs')), false);
    }],
    ['wider scope is not a subset of narrower', () => {
      assert.equal(ScopeSet.parse('system/*.rs').isSubsetOf(ScopeSet.parse('system/Patient.rs system/Observation.rs')), false);
    }],
    ['empty set is a subset of anything', () => {
      assert.ok(ScopeSet.parse('').isSubsetOf(ScopeSet.parse('')));
      assert.ok(ScopeSet.parse(undefined).isSubsetOf(set));
    }],
    ['nothing non-empty is a subset of the empty set', () => assert.equal(set.isSubsetOf(ScopeSet.parse('')), false)],
    ['every set is a subset of itself', () => assert.ok(set.isSubsetOf(set))],
    ['toString round-trips through parse', () => assert.equal(ScopeSet.parse(set.toString()).toString(), set.toString())],
  ];
  for (const [rule, check] of cases) it(rule, check);
});
