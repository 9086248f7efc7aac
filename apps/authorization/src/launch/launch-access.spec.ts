import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { OAuthError } from '#oauth';
import { launchRefusal, type LaunchAccessRequest, type LaunchUser } from './launch-access.js';
import { launchBindingOf, type LaunchBinding } from './launch-binding.js';

const alice: LaunchUser = { id: 'u-alice', username: 'alice', fhirUser: 'Patient/p-alice', patients: [] };
const smith: LaunchUser = { id: 'u-smith', username: 'drsmith', fhirUser: 'Practitioner/pr-smith', patients: [{ id: 'p-bob', name: 'Bob' }, { id: 'p-carol', name: 'Carol' }] };
const jones: LaunchUser = { id: 'u-jones', username: 'drjones', fhirUser: 'Practitioner/pr-jones', patients: [{ id: 'p-dan', name: 'Dan' }] };
const noResource: LaunchUser = { id: 'u-ops', username: 'ops', fhirUser: null, patients: [] };

function request(user: LaunchUser, patient: string | undefined, binding: LaunchBinding = {}, overrides: Partial<LaunchAccessRequest> = {}): LaunchAccessRequest {
  return { patient, binding, clientId: 'app', user, trustBoundLaunches: false, ...overrides };
}

describe('launchRefusal (who may open an EHR launch, after sign-in)', () => {
  const allowed: Array<[string, LaunchAccessRequest]> = [
    ['a patient user, their own record', request(alice, 'p-alice')],
    ['a practitioner, a patient on their list', request(smith, 'p-bob')],
    ['bound to the signed-in user by id', request(smith, 'p-bob', { user: 'u-smith' })],
    ['bound to the signed-in user by username', request(smith, 'p-carol', { user: 'drsmith' })],
    ['bound to the signed-in user by fhirUser', request(smith, 'p-bob', { fhirUser: 'Practitioner/pr-smith' })],
    ['bound by username and fhirUser, both the signed-in user', request(smith, 'p-bob', { user: 'drsmith', fhirUser: 'Practitioner/pr-smith' })],
    ['bound to the very client', request(alice, 'p-alice', { client_id: 'app' })],
    ['a patient user bound to herself, her own record', request(alice, 'p-alice', { user: 'alice', client_id: 'app' })],
    ['trusted mode: bound to a practitioner, a patient off their list', request(jones, 'p-bob', { user: 'u-jones' }, { trustBoundLaunches: true })],
    ['trusted mode: bound by fhirUser, a patient off the list', request(jones, 'p-bob', { fhirUser: 'Practitioner/pr-jones' }, { trustBoundLaunches: true })],
    ['a launch without a patient: nothing to protect here (the usual patient choice follows)', request(jones, undefined)],
  ];
  for (const [name, input] of allowed) {
    it(`allows ${name}`, () => assert.equal(launchRefusal(input), null));
  }

  const refused: Array<[string, LaunchAccessRequest, string]> = [
    ['a patient user, another patient (the hole of issue #13)', request(alice, 'p-bob'), 'not_own_patient'],
    ['a patient user, another patient, even bound to her in trusted mode', request(alice, 'p-bob', { user: 'alice' }, { trustBoundLaunches: true }), 'not_own_patient'],
    ['a practitioner, a patient off their list', request(jones, 'p-bob'), 'patient_not_permitted'],
    ['a practitioner, off the list, bound to them but not trusted', request(jones, 'p-bob', { user: 'u-jones' }), 'patient_not_permitted'],
    ['trusted mode without a user binding', request(jones, 'p-bob', { client_id: 'app' }, { trustBoundLaunches: true }), 'patient_not_permitted'],
    ['a user without a FHIR resource or list', request(noResource, 'p-bob'), 'patient_not_permitted'],
    ['bound to another user (by id)', request(smith, 'p-bob', { user: 'u-jones' }), 'other_user'],
    ['bound to another user (by username)', request(smith, 'p-bob', { user: 'drjones' }), 'other_user'],
    ['bound to another user (by fhirUser)', request(smith, 'p-bob', { fhirUser: 'Practitioner/pr-jones' }), 'other_user'],
    ['bound by username to this user but by fhirUser to another', request(smith, 'p-bob', { user: 'drsmith', fhirUser: 'Practitioner/pr-jones' }), 'other_user'],
    ['bound by fhirUser to a user without one', request(noResource, 'p-bob', { fhirUser: 'Practitioner/pr-ops' }), 'other_user'],
    ['trusted mode, bound to another user', request(jones, 'p-bob', { user: 'drsmith' }, { trustBoundLaunches: true }), 'other_user'],
    ['bound to another client', request(smith, 'p-bob', { client_id: 'other-app' }), 'other_client'],
    ['bound to another client, whoever signs in', request(alice, 'p-alice', { user: 'alice', client_id: 'other-app' }), 'other_client'],
  ];
  for (const [name, input, reason] of refused) {
    it(`refuses ${name}: ${reason}`, () => {
      const refusal = launchRefusal(input);
      assert.equal(refusal?.reason, reason);
      assert.ok(refusal.description.length > 0);
      assert.doesNotMatch(refusal.description, /p-bob|jones|smith/, 'the description names no patient or user');
    });
  }
});

describe('launchBindingOf (POST /launch members and launch JWT claims)', () => {
  const FHIR = 'https://ehr.example/fhir/';
  it('keeps what is given, fhirUser made relative when it is on this FHIR base', () => {
    assert.deepEqual(launchBindingOf({}, FHIR), {});
    assert.deepEqual(launchBindingOf({ user: 'drsmith', client_id: 'app', fhirUser: 'Practitioner/pr-smith' }, FHIR), { user: 'drsmith', client_id: 'app', fhirUser: 'Practitioner/pr-smith' });
    assert.deepEqual(launchBindingOf({ fhirUser: 'https://ehr.example/fhir/Patient/p-alice' }, FHIR), { fhirUser: 'Patient/p-alice' });
  });

  const refused: Array<[string, Record<string, unknown>, RegExp]> = [
    ['an empty user', { user: '' }, /user/],
    ['a user that is not a string', { user: 42 }, /user/],
    ['an overlong client_id', { client_id: 'x'.repeat(129) }, /client_id/],
    ['a client_id that is not a string', { client_id: ['app'] }, /client_id/],
    ['a fhirUser on another FHIR server', { fhirUser: 'https://elsewhere.example/fhir/Practitioner/pr-smith' }, /fhirUser/],
    ['a fhirUser of a resource type that is not a user', { fhirUser: 'Observation/o-1' }, /fhirUser/],
    ['a fhirUser without an id', { fhirUser: 'Practitioner/' }, /fhirUser/],
    ['a fhirUser that is not a string', { fhirUser: { reference: 'Practitioner/1' } }, /fhirUser/],
  ];
  for (const [name, input, mentions] of refused) {
    it(`refuses ${name} with invalid_request`, () => {
      assert.throws(
        () => launchBindingOf(input, FHIR),
        (err: unknown) => err instanceof OAuthError && err.error === 'invalid_request' && mentions.test(err.description ?? ''),
      );
    });
  }
});
