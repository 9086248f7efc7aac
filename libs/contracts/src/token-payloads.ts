import type { PresentedClientAuth } from './client-record.js';
import type { LaunchContextClaims } from './launch-context.js';

/** Form parameters exactly as received; duplicates already refused by the gateway. */
export type FormParams = Record<string, string>;

export interface TokenRequest {
  params: FormParams;
  auth: PresentedClientAuth;
  /** The `DPoP` headers of the request, each as sent (RFC 9449 §4.1); absent when there were none. */
  dpop?: string[];
  requestId?: string;
}

/** RFC 6749 §5.1 plus the SMART launch context. */
export interface TokenResponseBody extends LaunchContextClaims {
  access_token: string;
  /** RFC 9449 §5: `DPoP` when the access token is bound to the proof's key. */
  token_type: 'Bearer' | 'DPoP';
  expires_in: number;
  scope: string;
  refresh_token?: string;
  id_token?: string;
  /**
   * Between the token service and the gateway only: the current DPoP server nonce (RFC 9449 §8), which the
   * gateway moves into the `DPoP-Nonce` header of the answer.
   */
  dpop_nonce?: string;
}

/** Caller of /introspect and /revoke: a client, or a bearer token (SMART token-introspection). */
export type IntrospectionCaller = PresentedClientAuth | { method: 'bearer'; token: string };

/**
 * Refresh tokens are opaque tokens of this many random bytes (256 bits), so
 * exactly 43 base64url characters: the introspection service asks the
 * authorization service only about text of that exact shape (issue #14).
 */
export const REFRESH_TOKEN_BYTES = 32;

/** Longer than any token the suite issues: introspected as inactive without a look, and forwarded cut to one more character. */
export const MAX_INTROSPECTED_TOKEN_LENGTH = 8192;

export interface IntrospectionRequest {
  params: FormParams;
  caller: IntrospectionCaller;
  requestId?: string;
}

/** What an active introspection answer says of any of our tokens (RFC 7662 §2.2), with the launch context the token response carried. */
interface ActiveIntrospection extends LaunchContextClaims {
  active: true;
  scope: string;
  client_id: string;
  sub: string;
  exp: number;
  iat: number;
  iss: string;
}

/** RFC 7662 §2.2 with the SMART additions: an access token, or a refresh token (`token_type: refresh_token`, no `aud`). */
export type IntrospectionResponseBody =
  | { active: false }
  | (ActiveIntrospection & { aud: string | string[]; token_type: 'Bearer' | 'DPoP'; jti?: string; cnf?: DpopConfirmation; extensions?: AuthorizationExtensionsClaim })
  | (ActiveIntrospection & { token_type: 'refresh_token' });

export interface RevocationRequest {
  params: FormParams;
  auth: PresentedClientAuth;
  requestId?: string;
}

/** `introspection.v1.verify`: internal check of a bearer access token (no caller authentication). */
export interface VerifyTokenRequest {
  token: string;
}

/** RFC 9449 §6.1: the confirmation claim of a DPoP-bound access token (the RFC 7638 thumbprint of its key). */
export interface DpopConfirmation {
  jkt: string;
}

/**
 * The authorization context a UDAP client asserted in its Authentication
 * Token's Authorization Extension Objects (UDAP Security 2.0 §5.2.1.1), which
 * its access token carries in its `extensions` claim: the requestor and the
 * purpose the token may be used for.
 */
export interface TokenAuthorizationExtensions {
  /** The extension objects the token carries (`hl7-b2b`, `tefca-ias`, `tefca_smart`). */
  extensions: string[];
  /** The purposes of use asserted (e.g. `urn:oid:2.16.840.1.113883.5.8#TREAT`). */
  purpose_of_use: string[];
  /** The requesting organization (a URI). */
  organization_id?: string;
  organization_name?: string;
  /** The person or system requesting, when the client named one. */
  subject_name?: string;
  subject_id?: string;
  subject_role?: string;
}

/** UDAP Security 2.0 §5.2.1.1: the Authorization Extension Objects a UDAP client asserted, by key (`hl7-b2b`, …), as its access token carries them. */
export type AuthorizationExtensionsClaim = Record<string, Record<string, unknown>>;

/** Claims of an active access token, as other services rely on them (with the launch context signed into it). */
export interface ActiveTokenClaims extends LaunchContextClaims {
  iss: string;
  sub: string;
  aud: string | string[];
  client_id: string;
  scope: string;
  jti: string;
  iat: number;
  exp: number;
  grant_id?: string;
  /** RFC 9449 §6: present when the token is bound to a DPoP key. */
  cnf?: DpopConfirmation;
  /** A UDAP client's asserted authorization context (UDAP B2B). */
  extensions?: AuthorizationExtensionsClaim;
}

export type TokenVerification = { active: false } | { active: true; claims: ActiveTokenClaims };
