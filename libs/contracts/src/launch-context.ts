/**
 * The SMART launch context, defined once: the claims a grant carries into its
 * token response, its access tokens and their introspection, and the one
 * validator every service reads them through (JSON from the bus or from a
 * verified JWT is checked, never trusted).
 */

/** SMART launch context attached to a grant (SMART App Launch 2.2 §"Launch context arrives with your access_token"). */
export interface LaunchContext {
  /** FHIR Patient id (not a reference): `123`. */
  patient?: string;
  /** FHIR Encounter id. */
  encounter?: string;
  /** SMART 2.x `fhirContext`: objects with `reference`, `canonical` or `identifier`, optional `type`/`role`. */
  fhirContext?: Array<Record<string, unknown>>;
  intent?: string;
  need_patient_banner?: boolean;
  smart_style_url?: string;
}

/**
 * The launch context and `fhirUser` (the absolute URL of the user's FHIR
 * resource), as the token response returns them, the access token carries
 * them and introspection echoes them (SMART token-introspection.html, IN-03/IN-04).
 */
export interface LaunchContextClaims extends LaunchContext {
  fhirUser?: string;
}

/** Every launch-context claim, in the order a token response lists them. */
export const LAUNCH_CONTEXT_CLAIMS = ['patient', 'encounter', 'fhirUser', 'need_patient_banner', 'smart_style_url', 'fhirContext', 'intent'] as const;

// The list names every claim of the type, and nothing else.
type Listed = (typeof LAUNCH_CONTEXT_CLAIMS)[number];
const everyClaimListed: [Exclude<keyof LaunchContextClaims, Listed>, Exclude<Listed, keyof LaunchContextClaims>] extends [never, never] ? true : never = true;
void everyClaimListed;

/** Anything that may carry the claims: a JWT payload, JSON from the bus, a typed answer. */
type ClaimSource = { readonly [K in Listed]?: unknown };

const isObjectList = (v: unknown): boolean => Array.isArray(v) && v.every((c) => typeof c === 'object' && c !== null && !Array.isArray(c));

/** Whether `value` has the type the claim `name` must have. */
function wellTyped(name: Listed, value: unknown): boolean {
  if (name === 'need_patient_banner') return typeof value === 'boolean';
  if (name === 'fhirContext') return isObjectList(value);
  return typeof value === 'string';
}

/** The launch-context claims of `source` that are well typed; anything else is left out. */
export function launchContextClaimsOf(source: ClaimSource): LaunchContextClaims {
  const claims: Record<string, unknown> = {};
  for (const name of LAUNCH_CONTEXT_CLAIMS) {
    const value = source[name];
    if (value !== undefined && wellTyped(name, value)) claims[name] = value;
  }
  return claims as LaunchContextClaims;
}

/** The launch-context claims `source` carries with the wrong type (for an error message). */
export function mistypedLaunchContextClaims(source: ClaimSource): Listed[] {
  return LAUNCH_CONTEXT_CLAIMS.filter((name) => source[name] !== undefined && !wellTyped(name, source[name]));
}
