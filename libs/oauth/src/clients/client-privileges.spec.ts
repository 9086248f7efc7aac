import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ClientRecord } from '#contracts';
import { ScopeSet } from '../scopes/scope-set.js';
import { SmartScope } from '../scopes/smart-scope.js';
import {
  assertGrantTypeUsable,
  assertRequestedScopesUsable,
  isPersonGrantable,
  isPrivilegedScope,
  mayUseScope,
  parsePrivileges,
  privilegesOf,
  splitByCoverage,
  usableScopes,
} from './client-privileges.js';
import { JWT_BEARER_GRANT_TYPE } from './client-metadata.constants.js';

const scope = (raw: string): SmartScope => SmartScope.parse(raw)!;

function client(registered: string, withheld: Partial<Pick<ClientRecord, 'privileges_pending' | 'privileges_rejected'>> = {}, grantTypes = ['client_credentials']): ClientRecord {
  return {
    client_id: 'c',
    metadata: { redirect_uris: [], token_endpoint_auth_method: 'client_secret_basic', grant_types: grantTypes, response_types: [], scope: registered },
    client_id_issued_at: 0,
    revision: 1,
    ...withheld,
  };
}

describe('which scopes are privileges (trust tiers)', () => {
  const cases: Array<[string, boolean, boolean]> = [
    // scope, privileged, a person may grant it at /authorize
    ['system/*.rs', true, false],
    ['system/Patient.r', true, false],
    ['introspect', true, false],
    ['admin', true, false],
    ['launch', true, true],
    ['launch/patient', false, true],
    ['launch/encounter', false, true],
    ['patient/*.rs', false, true],
    ['user/Observation.rs', false, true],
    ['openid', false, true],
    ['fhirUser', false, true],
    ['profile', false, true],
    ['offline_access', false, true],
    ['online_access', false, true],
  ];
  for (const [raw, privileged, grantable] of cases) {
    it(`${raw}: ${privileged ? 'a privilege' : 'approved by a person'}${grantable ? ', grantable at /authorize' : ''}`, () => {
      assert.equal(isPrivilegedScope(scope(raw)), privileged);
      assert.equal(isPersonGrantable(scope(raw)), grantable);
    });
  }

  it('finds the privileges of client metadata, the jwt-bearer grant type among them', () => {
    assert.deepEqual(privilegesOf({ scope: 'openid launch system/*.rs patient/*.rs introspect', grant_types: ['authorization_code', JWT_BEARER_GRANT_TYPE] }), {
      scope: ['launch', 'system/*.rs', 'introspect'],
      grant_types: [JWT_BEARER_GRANT_TYPE],
    });
  });
});

describe('parsePrivileges', () => {
  it('reads scopes and grant types, or * for all', () => {
    assert.equal(parsePrivileges(' * '), 'all');
    assert.deepEqual(parsePrivileges(`system/*.rs  ${JWT_BEARER_GRANT_TYPE} launch`), { scope: ['system/*.rs', 'launch'], grant_types: [JWT_BEARER_GRANT_TYPE] });
  });
  it('refuses what a person approves and what does not parse', () => {
    assert.throws(() => parsePrivileges('patient/*.rs'), /not a privilege/);
    assert.throws(() => parsePrivileges('system/*.bogus'), /malformed/);
  });
});

describe('splitByCoverage', () => {
  it('covers narrower scopes by SMART coverage and grant types exactly', () => {
    const requested = { scope: ['system/Patient.rs', 'system/*.cruds', 'introspect'], grant_types: [JWT_BEARER_GRANT_TYPE] };
    assert.deepEqual(splitByCoverage(requested, { scope: ['system/*.rs', 'introspect'], grant_types: [] }), {
      covered: { scope: ['system/Patient.rs', 'introspect'], grant_types: [] },
      uncovered: { scope: ['system/*.cruds'], grant_types: [JWT_BEARER_GRANT_TYPE] },
    });
    assert.deepEqual(splitByCoverage(requested, 'all').uncovered, { scope: [], grant_types: [] });
  });
});

describe('what a client may use', () => {
  const pending = client('system/*.rs introspect launch', { privileges_pending: { scope: ['system/*.rs', 'launch'], grant_types: [] } });

  it('leaves out pending and rejected privileges', () => {
    assert.equal(usableScopes(pending).toString(), 'introspect');
    assert.equal(mayUseScope(pending, 'introspect'), true);
    assert.equal(mayUseScope(pending, 'launch'), false);
    assert.equal(mayUseScope(pending, 'admin'), false, 'not registered');
    const rejected = client('system/*.rs', { privileges_rejected: { scope: ['system/*.rs'], grant_types: [] } });
    assert.equal(usableScopes(rejected).isEmpty(), true);
  });

  it('answers a request for a pending scope with invalid_scope saying approval is pending', () => {
    const usable = usableScopes(pending);
    for (const asked of ['system/Patient.rs', 'system/*.rs', 'system/*.cruds', 'launch']) {
      assert.throws(() => assertRequestedScopesUsable(pending, ScopeSet.parse(asked), usable), (err: { error?: string; description?: string }) => {
        assert.equal(err.error, 'invalid_scope');
        assert.match(err.description ?? '', /awaits an administrator's approval/);
        return true;
      }, asked);
    }
    assert.doesNotThrow(() => assertRequestedScopesUsable(pending, ScopeSet.parse('introspect'), usable));
  });

  it('narrows a request that usable scopes satisfy in part instead of refusing it', () => {
    const partly = client('system/Patient.rs system/Observation.rs', { privileges_pending: { scope: ['system/Observation.rs'], grant_types: [] } });
    assert.doesNotThrow(() => assertRequestedScopesUsable(partly, ScopeSet.parse('system/*.rs'), usableScopes(partly)));
  });

  it('says a refused scope was refused', () => {
    const refused = client('system/*.rs', { privileges_rejected: { scope: ['system/*.rs'], grant_types: [] } });
    assert.throws(() => assertRequestedScopesUsable(refused, ScopeSet.parse('system/Patient.rs'), usableScopes(refused)), /refused/);
  });

  it('answers a pending grant type with unauthorized_client', () => {
    const c = client('user/*.rs', { privileges_pending: { scope: [], grant_types: [JWT_BEARER_GRANT_TYPE] } }, [JWT_BEARER_GRANT_TYPE]);
    assert.throws(() => assertGrantTypeUsable(c, JWT_BEARER_GRANT_TYPE), (err: { error?: string }) => err.error === 'unauthorized_client');
    assert.doesNotThrow(() => assertGrantTypeUsable(c, 'client_credentials'));
  });
});
