/**
 * Messages between the authorization service (users, sessions, consent,
 * codes, grants and refresh tokens) and the services that call it: the
 * gateway for pages and the browser-facing API, the token service for the
 * `authorization_code` and `refresh_token` grants, the introspection service
 * for refresh-token revocation and introspection.
 */

import type { PresentedClientAuth } from './client-record.js';
import type { LaunchContextClaims } from './launch-context.js';

/**
 * What a code or refresh token stands for: everything the token service
 * needs to mint the access token, ID token and token response. Returned by
 * `authorization.v1.code.redeem` and `authorization.v1.refresh`.
 */
export interface AuthorizedGrant extends LaunchContextClaims {
  /** Id of the grant record; carried in access tokens as the `grant_id` claim so revoking the grant revokes them. */
  grant_id: string;
  client_id: string;
  /** Stable local user id: the `sub` of access and ID tokens. */
  sub: string;
  /** Exactly what was approved (narrowed on refresh when the client asked for less). Space-separated. */
  scope: string;
  /** Display name of the user (ID token `name` when `profile` was granted). */
  name?: string;
  /** OIDC `nonce` of the authorization request; only on code redemption. */
  nonce?: string;
  /** Seconds since epoch when the user authenticated (OIDC `auth_time`). */
  auth_time: number;
  /** A new refresh token (rotated on every use) when `offline_access` or `online_access` was granted. */
  refresh_token?: string;
  /** Seconds until that refresh token expires. */
  refresh_token_expires_in?: number;
  /**
   * Refresh grace (`REFRESH_REUSE_GRACE_SECONDS` > 0): hand the token
   * response back sealed (`authorization.v1.refresh.seal`), so that the
   * just-rotated refresh token presented again within the window gets the
   * very same response.
   */
  seal_response?: true;
}

/**
 * `authorization.v1.refresh` for a refresh token rotated moments ago and
 * presented again within the grace window: the token response the first
 * presentation got, sealed with a key only that refresh token yields. Nothing
 * new is issued and nothing is revoked.
 */
export interface RefreshReplay {
  replay: string;
}

/** `authorization.v1.refresh.seal`: the sealed token response of a refresh, kept for the grace window. */
export interface SealRefreshRequest {
  /** The refresh token that was just spent (the authorization service keeps only its SHA-256). */
  refresh_token: string;
  /** The token response sealed with a key derived from that refresh token (never readable without it). */
  sealed: string;
  requestId?: string;
}

/** `authorization.v1.code.redeem`: RFC 6749 §4.1.3 and RFC 7636 §4.6 checks are made by the authorization service. */
export interface RedeemCodeRequest {
  code: string;
  /** The authenticated client (or the public client's `client_id`). */
  client_id: string;
  redirect_uri?: string;
  code_verifier?: string;
  /** RFC 9449: the thumbprint of the key of the request's checked DPoP proof. */
  dpop_jkt?: string;
  requestId?: string;
}

/** `authorization.v1.refresh`: RFC 6749 §6 with rotation and reuse detection (RFC 9700 §4.14.2). */
export interface RefreshGrantRequest {
  refresh_token: string;
  client_id: string;
  /** Optional narrower scope (never wider than the grant). */
  scope?: string;
  /** RFC 9449: the thumbprint of the key of the request's checked DPoP proof. */
  dpop_jkt?: string;
  requestId?: string;
}

/**
 * `authorization.v1.refresh.client`: which client a refresh token was issued
 * to. The token service asks it only for a refresh that carries no client
 * identification (RFC 6749 §6: a public client need not authenticate), so it
 * can check that client is public before anything is spent. Nothing changes.
 */
export interface RefreshTokenClientRequest {
  refresh_token: string;
  requestId?: string;
}

/** The client the refresh token was issued to, or null when no such token was ever issued (or it was purged). */
export interface RefreshTokenClient {
  client_id: string | null;
}

/** `authorization.v1.refresh.revoke`: RFC 7009 for refresh tokens; revokes the whole grant. */
export interface RevokeRefreshTokenRequest {
  token: string;
  client_id: string;
  requestId?: string;
}

/** `authorization.v1.refresh.introspect`: whether a refresh token is live, for introspection (RFC 7662 §2.1). */
/**
 * `authorization.v1.refresh.format`: what lets the introspection service tell
 * text that was never issued as a refresh token from text worth a lookup
 * (issue #14): the checksum key (base64url, 32 bytes; it filters, it grants
 * nothing) and, for refresh tokens issued before the checksum, the latest
 * expiry among them (epoch seconds) or null.
 */
export interface RefreshTokenFormatInfo {
  checksum_key: string;
  legacy_until: number | null;
}

export interface IntrospectRefreshTokenRequest {
  token: string;
  requestId?: string;
}

/**
 * The answer: `{active:false}` for a token that is unknown, rotated out
 * (used), expired, of a revoked grant, of an ended `online_access` session or
 * of a user no longer active; else what it stands for, with the launch
 * context and `fhirUser` exactly as the grant's access tokens carry them.
 */
export type RefreshTokenIntrospection =
  /** `unknown`: no refresh token was ever issued with this text (it never will be: 256 random bits), so a caller may remember it. */
  | { active: false; unknown?: true }
  | ({
      active: true;
      client_id: string;
      /** The local user id: the `sub` of the grant's access tokens. */
      sub: string;
      scope: string;
      /** Seconds since epoch: when it was issued, and when it expires. */
      iat: number;
      exp: number;
    } & LaunchContextClaims);

/**
 * `authorization.v1.web`: one browser-facing HTTP request, forwarded by the
 * gateway as it arrived (pages, `/authorize`, `/launch`, `/userinfo`,
 * `/logout`, `/admin/users`, assets). The authorization service answers
 * with the whole HTTP response.
 */
export interface WebRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  /** Query parameters; a repeated parameter is an array (the handler decides whether that is an error). */
  query: Record<string, string | string[]>;
  /** Form body (`application/x-www-form-urlencoded`), repeated fields as arrays. */
  form?: Record<string, string | string[]>;
  /** JSON body (`application/json`). */
  json?: unknown;
  cookies: Record<string, string>;
  /** The `Authorization` header, when sent. */
  authorization?: string;
  /** The `Origin` header, when sent. */
  origin?: string;
  /** The client's address as the gateway saw it (login throttling). */
  remoteAddress: string;
  userAgent?: string;
  requestId?: string;
}

/**
 * `authorization.v1.par` (gateway, `POST /par`): a pushed authorization request (RFC 9126 §2.1), its form
 * parameters without the client credentials, and the credentials as presented (RFC 6749 §2.3).
 */
export interface PushedAuthorizationRequest {
  params: Record<string, string>;
  auth: PresentedClientAuth;
  /** The `DPoP` headers of the push, each as sent (RFC 9449 §10.1); absent when there were none. */
  dpop?: string[];
  requestId?: string;
}

/** RFC 9126 §2.2: the successful answer (`201 Created`). */
export interface PushedAuthorizationResponse {
  request_uri: string;
  expires_in: number;
}

export interface WebResponse {
  status: number;
  headers: Record<string, string>;
  /** Complete `Set-Cookie` values. */
  cookies?: string[];
  body?: string;
}

/**
 * `authorization.v1.jwt-bearer.subject` (token service): may this client act
 * for this user with the JWT bearer grant (RFC 7523 §2.1)? Answered with
 * the user's identity, or refused with `invalid_grant`.
 */
export interface JwtBearerSubjectRequest {
  client_id: string;
  /** The assertion's `sub`: the `id` of a user of the authorization service. */
  sub: string;
  requestId?: string;
}

export interface JwtBearerSubject {
  sub: string;
  /** Absolute FHIR URL of the user's resource, when the user has one. */
  fhirUser?: string;
}

/** `authorization.v1.admin.session`: the session cookie a browser presented to the admin pages. */
export interface AdminSessionRequest {
  session: string;
}

/** The administrator the session belongs to. */
export interface AdminSessionAnswer {
  user_id: string;
  username: string;
}

/** A batch of client ids (at most 1000). */
export interface ClientIdsRequest {
  clientIds: string[];
}

/** A count per client id (clients with none may be absent). */
export interface ClientCounts {
  counts: Record<string, number>;
}
