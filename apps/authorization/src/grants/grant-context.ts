import type { LaunchContext } from '#contracts';
import { ScopeSet } from '#oauth';

/**
 * What every token of a grant says about its launch and its user: the SMART
 * launch context (SMART App Launch 2.2 §"Launch context arrives with your
 * access_token") and `fhirUser`, the absolute URL of the user's FHIR
 * resource, when the `fhirUser` scope was granted and the user has one. One
 * definition for the token response (so the access token, whose claims
 * introspection echoes) and for refresh-token introspection.
 */
export function grantContextClaims(
  context: LaunchContext | null | undefined,
  scope: string,
  userFhirResource: string | null | undefined,
  fhirBaseUrl: string,
): LaunchContext & { fhirUser?: string } {
  const c = context ?? {};
  return {
    ...(ScopeSet.parse(scope).has('fhirUser') && userFhirResource ? { fhirUser: `${fhirBaseUrl.replace(/\/+$/, '')}/${userFhirResource}` } : {}),
    ...(c.patient ? { patient: c.patient } : {}),
    ...(c.encounter ? { encounter: c.encounter } : {}),
    ...(c.fhirContext ? { fhirContext: c.fhirContext } : {}),
    ...(c.intent ? { intent: c.intent } : {}),
    ...(c.need_patient_banner !== undefined ? { need_patient_banner: c.need_patient_banner } : {}),
    ...(c.smart_style_url ? { smart_style_url: c.smart_style_url } : {}),
  };
}
