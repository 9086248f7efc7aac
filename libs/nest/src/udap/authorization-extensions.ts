/**
 * The Authorization Extension Objects this server can read in a UDAP
 * Authentication Token's `extensions` claim (UDAP Security 2.0 §5.2.1.1: the
 * HL7 B2B object `hl7-b2b`; the TEFCA Facilitated FHIR objects `tefca-ias`
 * and `tefca_smart`, read only when configured).
 */
export const UDAP_AUTHORIZATION_EXTENSIONS: readonly string[] = ['hl7-b2b', 'tefca-ias', 'tefca_smart'];

/** Which extension objects are read (`udap_authorization_extensions_supported`) and which every client credentials request must carry (`…_required`). */
export interface AuthorizationExtensionPolicy {
  supported: string[];
  required: string[];
}

/** The names of a comma-separated setting, trimmed, without empties. */
export function extensionNames(setting: string | undefined): string[] {
  return (setting ?? '').split(',').map((name) => name.trim()).filter(Boolean);
}

/** The policy of UDAP_AUTHORIZATION_EXTENSIONS_SUPPORTED and UDAP_AUTHORIZATION_EXTENSIONS_REQUIRED (checked at start-up). */
export function authorizationExtensionPolicy(settings: { UDAP_AUTHORIZATION_EXTENSIONS_SUPPORTED?: string; UDAP_AUTHORIZATION_EXTENSIONS_REQUIRED?: string }): AuthorizationExtensionPolicy {
  return { supported: [...new Set(extensionNames(settings.UDAP_AUTHORIZATION_EXTENSIONS_SUPPORTED))], required: [...new Set(extensionNames(settings.UDAP_AUTHORIZATION_EXTENSIONS_REQUIRED))] };
}
