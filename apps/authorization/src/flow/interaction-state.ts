/**
 * The life of an interaction (one authorization request in progress) as an
 * explicit state machine (STYLE pattern 9). A row changes state only through
 * a named transition, which names the states it may start from; the store
 * applies it with a guarded UPDATE, as `LockedKeyRing` moves keys.
 *
 *   started ──signIn──▶ authenticated ──complete──▶ completed   (a code went back, RFC 6749 §4.1.2)
 *      │                 │  ▲ signIn, choosePatient
 *      └──────fail───────┴──────fail──▶ failed                  (an error went back, RFC 6749 §4.1.2.1)
 */

export const INTERACTION_STATES = ['started', 'authenticated', 'completed', 'failed'] as const;

export type InteractionState = (typeof INTERACTION_STATES)[number];

export type InteractionTransition = 'signIn' | 'choosePatient' | 'complete' | 'fail';

/** Each transition: the states it may start from and the state it leads to. */
export const TRANSITIONS: Readonly<Record<InteractionTransition, { from: readonly InteractionState[]; to: InteractionState }>> = {
  // A person signs in (the login form, an upstream login, or a live session reused); signing in again replaces them.
  signIn: { from: ['started', 'authenticated'], to: 'authenticated' },
  // The patient in context, chosen on the picker or the patient user's own record: only for someone signed in.
  choosePatient: { from: ['authenticated'], to: 'authenticated' },
  // The code is issued: once, and only for someone signed in.
  complete: { from: ['authenticated'], to: 'completed' },
  // An error goes back to the client, signed in or not (prompt=none, a denied consent, a refused launch, …).
  fail: { from: ['started', 'authenticated'], to: 'failed' },
};

/** The states no transition leaves: the interaction is over and its pages answer "expired". */
export function isFinal(state: InteractionState): boolean {
  return !Object.values(TRANSITIONS).some((t) => t.from.includes(state));
}

/** The state `transition` leads to from `state`, or null when it may not start there. */
export function nextState(state: InteractionState, transition: InteractionTransition): InteractionState | null {
  const { from, to } = TRANSITIONS[transition];
  return from.includes(state) ? to : null;
}
