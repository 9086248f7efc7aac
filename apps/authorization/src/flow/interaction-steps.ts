import type { LaunchRefusal } from '../launch/launch-access.js';
import type { AuthorizationRequest } from './authorization-request.js';
import type { ClientError } from './client-redirect.js';

/**
 * The decisions of an interaction, as pure functions of what is known about
 * it (SMART App Launch 2.2 §"authorization code"; OIDC Core §3.1.2.1 for
 * `prompt`): who is signed in, then which patient, then consent, then the
 * code. `InteractionFlow` gathers the facts, applies the transition a
 * decision names, and turns it into a {@link NextStep}.
 */
export type Decision =
  | { readonly step: 'login' }
  | { readonly step: 'fail'; readonly error: ClientError; readonly refusal?: LaunchRefusal }
  | { readonly step: 'pickPatient' }
  /** `ownPatient`: a patient user's own record becomes the patient in context first. */
  | { readonly step: 'consent'; readonly ownPatient?: string }
  | { readonly step: 'finish'; readonly ownPatient?: string };

type Failure = Extract<Decision, { step: 'fail' }>;

const fail = (error: string, description: string): Failure => ({ step: 'fail', error: { error, description } });

/** Nobody is signed in (or the session may not be reused): the sign-in page, unless the client allowed none. */
export function signedOutStep(prompt: AuthorizationRequest['prompt']): Failure | { readonly step: 'login' } {
  // OIDC Core §3.1.2.1: prompt=none shows no page.
  return prompt === 'none' ? fail('login_required', 'the user is not signed in') : { step: 'login' };
}

/** Whether a live session may sign this interaction in: not with `prompt=login`, nor when older than `max_age` (OIDC Core §3.1.2.1). */
export function sessionReusable(request: Pick<AuthorizationRequest, 'prompt' | 'maxAge'>, authenticatedAt: Date, now: number): boolean {
  return request.prompt !== 'login' && !(request.maxAge !== undefined && now - authenticatedAt.getTime() > request.maxAge * 1000);
}

/** What is known once someone is signed in. */
export interface SignedInFacts {
  readonly prompt: AuthorizationRequest['prompt'];
  /** The request failed its checks before anyone signed in (RFC 9700 §4.11.2): now its error goes back. */
  readonly requestError?: AuthorizationRequest['error'];
  readonly disabled: boolean;
  /** Why this person may not open the EHR launch through this client (launch/launch-access.ts); null when they may. */
  readonly launchRefusal: LaunchRefusal | null;
  /** The scopes need a patient in context and the launch gave none. */
  readonly needsPatient: boolean;
  /** The patient already chosen. */
  readonly patient: string | null;
  /** A patient user's own `Patient` id. */
  readonly ownPatient: string | undefined;
  /** How many patients the user may pick from. */
  readonly listedPatients: number;
  /** A remembered consent covers the request (never with prompt=consent). */
  readonly consentRemembered: boolean;
}

/** The next step for a signed-in person, in the order the checks must run. */
export function signedInStep(f: SignedInFacts): Exclude<Decision, { step: 'login' }> {
  if (f.disabled) return fail('access_denied', 'the account is disabled');
  if (f.requestError) return fail(f.requestError.error, f.requestError.description ?? f.requestError.error);
  // An EHR launch: may this person open it, through this client? Before any patient choice or consent.
  if (f.launchRefusal) return { step: 'fail', error: { error: 'access_denied', description: f.launchRefusal.description }, refusal: f.launchRefusal };

  // Which patient? An EHR launch brings one; a patient user is their own; a practitioner picks.
  let ownPatient: string | undefined;
  if (f.needsPatient && !f.patient) {
    if (f.ownPatient) ownPatient = f.ownPatient;
    else if (f.listedPatients > 0) return f.prompt === 'none' ? fail('interaction_required', 'a patient must be chosen') : { step: 'pickPatient' };
    else return fail('access_denied', 'there is no patient this user may open');
  }

  // Consent: remembered per user and client until revoked; asked again when the request goes beyond it.
  const then = ownPatient ? { ownPatient } : {};
  if (f.consentRemembered) return { step: 'finish', ...then };
  if (f.prompt === 'none') return fail('consent_required', 'the user has not approved this application');
  return { step: 'consent', ...then };
}
