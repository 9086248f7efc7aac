import { subject } from './namespace.js';
import type { ClientApprovalStatus, ClientPrivileges, TokenEndpointAuthMethod } from './client-record.js';
import type { TokenAuthorizationExtensions } from './token-payloads.js';

/**
 * Envelope of every durable event (published to JetStream under
 * `<prefix>.events.v1.<type>`, with `Nats-Msg-Id` = `id`). Documented for
 * outside consumers in docs/events.md.
 */
export interface EventEnvelope<T extends EventType = EventType> {
  /** Unique id (UUID v4); consumers de-duplicate on it. */
  id: string;
  type: T;
  /** Schema version of `data`. */
  version: 1;
  /** RFC 3339 timestamp of the fact. */
  occurred_at: string;
  /** The service that recorded the fact. */
  source: string;
  /** Correlates with the HTTP request that caused the fact, when there was one. */
  request_id?: string;
  data: EventData[T];
}

export interface ClientEventData {
  client_id: string;
  client_name?: string;
  token_endpoint_auth_method: TokenEndpointAuthMethod;
  grant_types: string[];
  scope: string;
  revision: number;
  /** Trust tiers: `pending`, `approved` or `rejected` after this change. */
  status?: ClientApprovalStatus;
  /** Privileges still awaiting approval after this change (absent when none). */
  privileges_pending?: ClientPrivileges;
  /** Whether the client is disabled after this change (absent when it is not). */
  disabled?: true;
  /** Who made the change when an administrator did: `user:<id>` (signed in to /admin/apps) or `client:<client_id>` (an admin token). */
  actor?: string;
}

/** An administrator approved or refused privileges a client registered (trust tiers). */
export interface ClientDecisionData extends ClientEventData {
  /** The privileges this decision was about. */
  privileges: ClientPrivileges;
}

export interface TokenIssuedData {
  jti: string;
  client_id: string;
  sub: string;
  grant_type: string;
  scope: string;
  aud: string;
  iat: number;
  exp: number;
  kid: string;
  /** The grant the token belongs to (user-facing grants only). */
  grant_id?: string;
  /** Patient in context, when there is one. */
  patient?: string;
  /** A UDAP client's asserted authorization context (B2B: purpose of use, organization), when its token carries one. */
  authorization_extensions?: TokenAuthorizationExtensions;
}

export interface TokenRevokedData {
  jti: string;
  client_id: string;
  token_type: 'access_token' | 'refresh_token';
  /** Expiry of the revoked token (seconds since epoch): the revocation need not be kept after it. */
  exp: number;
  reason: 'client_request' | 'client_deleted' | 'admin';
}

/**
 * A refresh token was exchanged (RFC 6749 §6) and rotated: the old one is
 * spent, the client got new tokens of the grant (the access token's own
 * `token.issued` follows from the token service).
 */
export interface TokenRefreshedData {
  grant_id: string;
  client_id: string;
  /** Local user id of the grant. */
  user_id: string;
  /** The scope of the new access token (the grant's, or narrower when the client asked for less). */
  scope: string;
  /** Patient in context, when the grant has one. */
  patient?: string;
}

/**
 * A refresh token that was already rotated came back (RFC 9700 §4.14.2):
 * stolen or replayed. The whole grant is revoked (`grant.revoked` with reason
 * `refresh_token_reuse` follows when it was still live).
 */
export interface RefreshTokenReusedData {
  grant_id: string;
  /** The client the token was issued to (the one that presented it). */
  client_id: string;
  user_id: string;
  patient?: string;
}

/**
 * A practitioner chose an app in the EHR launcher (issue #16): a launch
 * context bound to them, the patient (and encounter) and that app was made,
 * and the browser was sent to the app's `launch_uri`.
 */
export interface LaunchCreatedData {
  /** The app chosen. */
  client_id: string;
  /** Local id of the practitioner. */
  user_id: string;
  fhirUser?: string;
  patient: string;
  encounter?: string;
  /** `launcher:sign-in` (the practitioner signed in to the launcher), or the EHR client whose signed launch JWT opened it. */
  launched_by: string;
}

/** A person's authorization of a client: created at consent, ended by revocation. */
export interface GrantCreatedData {
  grant_id: string;
  client_id: string;
  /** Local user id. */
  user_id: string;
  fhirUser?: string;
  patient?: string;
  scope: string;
  /** `standalone` or `ehr` launch, or `none` when no launch scope was granted. */
  launch: 'standalone' | 'ehr' | 'none';
}

export interface GrantRevokedData {
  grant_id: string;
  client_id: string;
  user_id: string;
  /**
   * `refresh_token_reuse`: a rotated refresh token came back (RFC 9700 §4.14.2);
   * `code_replay`: an authorization code was presented twice (RFC 6749 §4.1.2);
   * `client_request`: the client revoked its refresh token (RFC 7009);
   * `admin`: an administrator; `user`: the person.
   */
  reason: 'refresh_token_reuse' | 'code_replay' | 'client_request' | 'admin' | 'user';
  /** Seconds since epoch: access tokens of the grant issued before this are inactive. */
  revoked_at: number;
  /** With `admin`: which administrator, `user:<id>` (signed in to /admin or /admin/apps) or `client:<client_id>` (an admin token). */
  actor?: string;
}

export interface LoginData {
  /** Present when the username matched a user (never the attempted password, never an unknown username). */
  user_id?: string;
  client_id?: string;
  /**
   * `password` for the built-in directory, `upstream_oidc` for the configured identity provider, `ehr_launch` for
   * a practitioner an EHR's signed launch JWT named at the launcher (EHR_SIGN_IN_TRUSTED).
   */
  method: 'password' | 'upstream_oidc' | 'ehr_launch';
  /** With `ehr_launch`: the EHR client whose signed word it was. */
  ehr_client_id?: string;
  /** Why a login failed: `invalid_credentials`, `throttled`, `disabled`. */
  reason?: 'invalid_credentials' | 'throttled' | 'disabled';
  remote_address?: string;
}

export interface ConsentData {
  client_id: string;
  user_id: string;
  /** What was asked for, and (when granted) what stayed ticked. */
  requested_scope: string;
  granted_scope?: string;
}

/**
 * An EHR launch was refused after sign-in (SMART App Launch 2.2 §"EHR Launch"):
 * the signed-in user or the client may not open the launch, so the app got
 * `access_denied` and no code.
 */
export interface LaunchRefusedData {
  /** The client that brought the launch to /authorize. */
  client_id: string;
  /** Local id of the signed-in user. */
  user_id: string;
  /** The user's FHIR resource (relative), when they have one. */
  fhirUser?: string;
  /** The patient the launch names. */
  patient?: string;
  /** The EHR client that created the launch (POST /launch or the launch JWT's issuer). */
  launched_by: string;
  /**
   * `other_client`: bound to another client; `other_user`: bound to another user;
   * `not_own_patient`: a patient user and another patient's record;
   * `patient_not_permitted`: the patient is not on the user's list (and the launch is not a trusted one bound to them).
   */
  reason: 'other_client' | 'other_user' | 'not_own_patient' | 'patient_not_permitted';
}

export interface KeyEventData {
  kid: string;
  alg: string;
  state: 'next' | 'active' | 'retired';
}

/**
 * A rotation: `kid` (published beforehand as `next`) is now the active key of
 * `alg`; `previous_kid` stops signing and stays published as `retired` until
 * no token it signed can still be valid.
 */
export interface KeyRotatedData extends KeyEventData {
  state: 'active';
  /** The key that was active until now (null when the algorithm had none). */
  previous_kid: string | null;
  /** The `next` key published in its place, to become active at the following rotation. */
  next_kid: string;
  /** `scheduled` (KEY_ROTATION_INTERVAL) or `forced` (POST /admin/keys/rotate). */
  reason: 'scheduled' | 'forced';
  /** Seconds since the epoch (every instant in `data` is): the earliest time `previous_kid` leaves /jwks. */
  previous_removable_at?: number;
}

/** The event catalogue: `<entity>.<verb>` → payload. */
export interface EventData {
  'client.registered': ClientEventData;
  'client.updated': ClientEventData;
  'client.deleted': ClientEventData;
  'client.approved': ClientDecisionData;
  'client.rejected': ClientDecisionData;
  /** An administrator disabled the client: refused at /token and /authorize, its tokens inactive, its grants kept. */
  'client.disabled': ClientEventData;
  'client.enabled': ClientEventData;
  /** An administrator issued a new client secret; the old one no longer authenticates. */
  'client.secret_rotated': ClientEventData;
  'token.issued': TokenIssuedData;
  'token.revoked': TokenRevokedData;
  'key.activated': KeyEventData;
  'grant.created': GrantCreatedData;
  'grant.revoked': GrantRevokedData;
  'login.succeeded': LoginData;
  'login.failed': LoginData;
  'consent.granted': ConsentData;
  'consent.denied': ConsentData;
  'key.rotated': KeyRotatedData;
  /** A `next` key entered /jwks (it signs only after the pre-publication window). */
  'key.published': KeyEventData;
  /** A retired key left /jwks: every token it signed has expired. */
  'key.removed': KeyEventData;
  'token.refreshed': TokenRefreshedData;
  'refresh_token.reused': RefreshTokenReusedData;
  'launch.refused': LaunchRefusedData;
  /** A practitioner launched an app from the EHR launcher. */
  'launch.created': LaunchCreatedData;
}

export type EventType = keyof EventData;

export const EVENT_TYPES: readonly EventType[] = [
  'client.registered',
  'client.updated',
  'client.deleted',
  'client.approved',
  'client.rejected',
  'client.disabled',
  'client.enabled',
  'client.secret_rotated',
  'token.issued',
  'token.revoked',
  'key.activated',
  'grant.created',
  'grant.revoked',
  'login.succeeded',
  'login.failed',
  'consent.granted',
  'consent.denied',
  'key.rotated',
  'key.published',
  'key.removed',
  'token.refreshed',
  'refresh_token.reused',
  'launch.refused',
  'launch.created',
];

/** Subject of one event type, e.g. `smart.events.v1.token.issued`. */
export function eventSubject(type: EventType): string {
  return subject(`events.v1.${type}`);
}

/** Wildcard covering every event of the installation (the stream's subjects). */
export const ALL_EVENTS_SUBJECT = subject('events.v1.>');

/** Wildcard covering one entity's events, e.g. `client.*`. */
export function entityEventsSubject(entity: 'client' | 'token' | 'refresh_token' | 'key' | 'grant' | 'login' | 'consent'): string {
  return subject(`events.v1.${entity}.*`);
}
