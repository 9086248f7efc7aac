import type { TokenAuthorizationExtensions } from '#contracts';
import { ExtensionMembers } from './extension-members.js';

/** What one extension object contributes to the token's audit event. */
export type ExtensionSummary = Omit<TokenAuthorizationExtensions, 'extensions'>;

/** A read extension object: the members the access token carries, and the audit summary. */
export interface ReadExtension {
  carried: Record<string, unknown>;
  summary: ExtensionSummary;
}

/**
 * The HL7 B2B Authorization Extension Object (UDAP Security 2.0 §5.2.1.1,
 * key `hl7-b2b`): `version` "1", `organization_id` (a URI) and
 * `purpose_of_use` (one or more codes) required; `subject_name`,
 * `subject_id`, `subject_role`, `organization_name` strings when present;
 * `consent_policy` URIs and `consent_reference` absolute URLs, the latter
 * only with the former. Pure.
 *
 * @throws ExtensionInvalid
 */
export function readHl7B2b(object: Record<string, unknown>): ReadExtension {
  const members = new ExtensionMembers('hl7-b2b', object);
  members.fixed('version', '1');
  const subjectName = members.string('subject_name');
  const subjectId = members.string('subject_id');
  const subjectRole = members.string('subject_role');
  const organizationName = members.string('organization_name');
  const organizationId = members.string('organization_id', { required: true, uri: true })!;
  const purposeOfUse = members.strings('purpose_of_use', { required: true })!;
  members.strings('consent_policy', { uri: true });
  members.onlyWith('consent_reference', 'consent_policy');
  members.strings('consent_reference', { url: true });
  return {
    carried: members.read,
    summary: {
      purpose_of_use: purposeOfUse,
      organization_id: organizationId,
      ...(organizationName !== undefined ? { organization_name: organizationName } : {}),
      ...(subjectName !== undefined ? { subject_name: subjectName } : {}),
      ...(subjectId !== undefined ? { subject_id: subjectId } : {}),
      ...(subjectRole !== undefined ? { subject_role: subjectRole } : {}),
    },
  };
}
