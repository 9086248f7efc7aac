import type { LaunchContext } from '#contracts';
import { InvalidRequest } from '#oauth';

/**
 * Whom an EHR launch context was made for: the user (their id or username,
 * and/or their `fhirUser`) and the client that may use it. Kept beside the
 * {@link LaunchContext} (which goes into tokens), never inside it. Every
 * member is optional: an unbound launch may be opened by any user who may
 * see its patient, through any client.
 */
export interface LaunchBinding {
  /** The local user's id or username. */
  user?: string;
  /** The user's FHIR resource, relative (`Practitioner/123`), as users carry it. */
  fhirUser?: string;
  /** The only client that may use the launch. */
  client_id?: string;
}

/** A launch value resolved at /authorize: the context for the tokens, its binding, and the EHR client that made it. */
export interface ResolvedLaunch {
  context: LaunchContext;
  binding: LaunchBinding;
  launchedBy: string;
  /** The session an EHR's signed word opened at the launcher, for this launch only (ehr-sign-in.ts). */
  sessionHash?: string;
}

/** Whether a binding names a user at all. */
export function namesUser(binding: LaunchBinding): boolean {
  return binding.user !== undefined || binding.fhirUser !== undefined;
}

/** A relative FHIR reference to a user's resource, as users carry it (`fhirUser` of the admin API). */
const FHIR_USER = /^(Patient|Practitioner|PractitionerRole|RelatedPerson|Person)\/[A-Za-z0-9.-]{1,64}$/;
const MAX_ID = 128;

/**
 * The binding an EHR gave with a launch (POST /launch members or launch JWT
 * claims `user`, `fhirUser`, `client_id`), checked and normalised: `fhirUser`
 * relative, or absolute on this server's FHIR base (as the SMART `fhirUser`
 * claim is) and then made relative. Throws `InvalidRequest` naming the member.
 */
export function launchBindingOf(input: { user?: unknown; fhirUser?: unknown; client_id?: unknown }, fhirBaseUrl: string): LaunchBinding {
  const binding: LaunchBinding = {};
  for (const name of ['user', 'client_id'] as const) {
    const value = input[name];
    if (value === undefined) continue;
    if (typeof value !== 'string' || value.length === 0 || value.length > MAX_ID) throw new InvalidRequest(`${name} must be a string of 1 to ${MAX_ID} characters`);
    binding[name] = value;
  }
  if (input.fhirUser !== undefined) {
    const value = input.fhirUser;
    const base = `${fhirBaseUrl.replace(/\/+$/, '')}/`;
    const relative = typeof value === 'string' && value.startsWith(base) ? value.slice(base.length) : value;
    if (typeof relative !== 'string' || !FHIR_USER.test(relative)) {
      throw new InvalidRequest('fhirUser must be a reference to the user, such as Practitioner/123, relative or on this server\'s FHIR base');
    }
    binding.fhirUser = relative;
  }
  return binding;
}
