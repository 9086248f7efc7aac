import type { LaunchRefusedData } from '#contracts';
import type { PatientEntry } from '../persistence/entities/user.entity.js';
import { ownPatientId } from '../users/user-views.js';
import { namesUser, type LaunchBinding } from './launch-binding.js';

/** The signed-in person, as far as the launch check needs them. */
export interface LaunchUser {
  id: string;
  username: string;
  /** Relative FHIR reference (`Patient/123`, `Practitioner/456`), or null. */
  fhirUser: string | null;
  /** The patients a practitioner may open. */
  patients: PatientEntry[];
}

export interface LaunchAccessRequest {
  /** The patient the launch names. */
  patient: string | undefined;
  binding: LaunchBinding;
  /** The client the authorization request came from. */
  clientId: string;
  user: LaunchUser;
  /** `EHR_LAUNCH_TRUSTED`: a launch bound to this very user may open a patient off their list. */
  trustBoundLaunches: boolean;
}

export interface LaunchRefusal {
  reason: LaunchRefusedData['reason'];
  /** The `error_description` the app receives: never a patient id or another user's name. */
  description: string;
}

const DESCRIPTIONS: Record<LaunchRefusedData['reason'], string> = {
  other_client: 'this EHR launch was made for another application',
  other_user: 'this EHR launch was made for another user',
  not_own_patient: 'a patient may open only their own record',
  patient_not_permitted: 'the signed-in user may not open this patient',
};

/**
 * Whether the signed-in user may open an EHR launch through this client,
 * checked after sign-in and before any patient choice or consent: the EHR
 * chose the patient, and no token may reach a patient that no person and no
 * trusted party allowed (SMART App Launch 2.2 §"EHR Launch": the launch
 * context is bound to the EHR session; RFC 6749 §4.1.2.1 `access_denied`).
 *
 * In order: a launch bound to a client is for that client only; a launch
 * bound to a user (id or username, and/or fhirUser; each named member must
 * match) is for that user only; a patient user may open only their own
 * Patient; anyone else only a patient on their list, or, when the operator
 * trusts the EHR's bindings, any patient when the launch is bound to them.
 * Returns null when the launch may go on.
 */
export function launchRefusal({ patient, binding, clientId, user, trustBoundLaunches }: LaunchAccessRequest): LaunchRefusal | null {
  const refuse = (reason: LaunchRefusal['reason']): LaunchRefusal => ({ reason, description: DESCRIPTIONS[reason] });
  if (binding.client_id !== undefined && binding.client_id !== clientId) return refuse('other_client');
  if (binding.user !== undefined && binding.user !== user.id && binding.user !== user.username) return refuse('other_user');
  if (binding.fhirUser !== undefined && binding.fhirUser !== user.fhirUser) return refuse('other_user');
  if (patient === undefined) return null;
  const own = ownPatientId(user);
  if (own !== undefined) return patient === own ? null : refuse('not_own_patient');
  if (user.patients.some((p) => p.id === patient)) return null;
  // Reaching here with a user binding means it matched this user (checked above).
  if (trustBoundLaunches && namesUser(binding)) return null;
  return refuse('patient_not_permitted');
}
