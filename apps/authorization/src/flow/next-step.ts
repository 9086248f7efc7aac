import type { ClientRecord } from '#contracts';
import type { OAuthError } from '#oauth';
import type { UserEntity } from '../persistence/entities/user.entity.js';

/**
 * What an interaction needs next, as `InteractionFlow` decides it; the web
 * layer renders it (a page, a redirect) and never decides it.
 *
 * - `login`: nobody (or not the right person) is signed in: the sign-in page, or the upstream provider.
 * - `pickPatient`: a practitioner chooses the patient the app will work with.
 * - `consent`: the person approves (or not) what the app asks for.
 * - `redirect`: the interaction is over and the browser goes back to the client, with the code
 *   (RFC 6749 §4.1.2) or an error (§4.1.2.1), built by `client-redirect.ts`.
 * - `error`: nothing may go back to the client (`redirectable` false): an error page.
 */
export type NextStep =
  | { readonly kind: 'login'; readonly client: ClientRecord }
  | { readonly kind: 'pickPatient'; readonly client: ClientRecord; readonly user: UserEntity }
  | { readonly kind: 'consent'; readonly client: ClientRecord; readonly user: UserEntity }
  | { readonly kind: 'redirect'; readonly location: string }
  | { readonly kind: 'error'; readonly error: OAuthError };
