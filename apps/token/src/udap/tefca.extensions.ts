import { ExtensionMembers } from './extension-members.js';
import type { ReadExtension } from './hl7-b2b.extension.js';

/**
 * TEFCA Individual Access Services (`tefca-ias`, TEFCA Facilitated FHIR):
 * `version` "1", `purpose_of_use` the code "T-IAS", the user
 * (`user_information`, a FHIR RelatedPerson) and the patient
 * (`patient_information`, a FHIR Patient) required; `consent_policy` URIs,
 * `consent_reference` URLs, `id_token` and `ial_vetted` when present. Read
 * only when UDAP_AUTHORIZATION_EXTENSIONS_SUPPORTED names it. Pure.
 *
 * @throws ExtensionInvalid
 */
export function readTefcaIas(object: Record<string, unknown>): ReadExtension {
  const members = new ExtensionMembers('tefca-ias', object);
  members.fixed('version', '1');
  members.fixed('purpose_of_use', 'T-IAS');
  members.jsonObject('user_information', { required: true });
  members.jsonObject('patient_information', { required: true });
  members.strings('consent_policy', { uri: true });
  members.strings('consent_reference', { url: true });
  members.string('id_token');
  members.string('ial_vetted');
  return { carried: members.read, summary: { purpose_of_use: ['T-IAS'] } };
}

/**
 * TEFCA SMART (`tefca_smart`, TEFCA Facilitated FHIR): `version` "1" and a
 * `purpose_of_use` (one code, or an array of codes) required;
 * `consent_policy` URIs, `consent_reference` URLs and `id_token` when
 * present. Read only when configured. Pure.
 *
 * @throws ExtensionInvalid
 */
export function readTefcaSmart(object: Record<string, unknown>): ReadExtension {
  const members = new ExtensionMembers('tefca_smart', object);
  members.fixed('version', '1');
  const purposes = typeof object.purpose_of_use === 'string' ? [members.string('purpose_of_use', { required: true })!] : members.strings('purpose_of_use', { required: true })!;
  members.strings('consent_policy', { uri: true });
  members.strings('consent_reference', { url: true });
  members.string('id_token');
  return { carried: members.read, summary: { purpose_of_use: purposes } };
}
