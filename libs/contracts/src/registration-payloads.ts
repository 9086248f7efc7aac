import type { ClientApprovalStatus, ClientMetadata, ClientPrivileges, ClientTrust } from './client-record.js';


/** RFC 7591 §3.2.1 and RFC 7592 §3 client information response. */
export interface ClientInformationResponse extends ClientMetadata {
  client_id: string;
  client_secret?: string;
  client_id_issued_at: number;
  client_secret_expires_at?: number;
  registration_access_token: string;
  registration_client_uri: string;
  /**
   * Extension (trust tiers, docs/conformance.md): privileges registered but
   * not usable until an administrator approves them; absent when none.
   */
  privileges_pending?: ClientPrivileges;
  /** Extension: privileges an administrator refused; absent when none. */
  privileges_rejected?: ClientPrivileges;
}

export interface RegisterClientRequest {
  /** The parsed JSON body, not yet validated. */
  metadata: unknown;
  /** Bearer token presented at POST /register (initial access token, or an admin token). */
  bearer?: string;
  requestId?: string;
}

export interface ManageClientRequest {
  clientId: string;
  /** The registration access token presented as a bearer token (RFC 7592 §2). */
  registrationAccessToken?: string;
  requestId?: string;
}

export interface UpdateClientRequest extends ManageClientRequest {
  metadata: unknown;
}

export interface ClientLookupRequest {
  clientId: string;
}

/**
 * An admin call on the client directory, checked by the registration
 * service: the caller's bearer token (scope `admin`, the admin API), or the
 * session of an administrator signed in to the pages under `/admin/apps`
 * (verified with the authorization service, which owns sessions).
 */
export interface ClientAdminRequest {
  /** The HTTP Authorization header as received (RFC 6750 §2.1). */
  authorization?: string;
  /** The administrator's session cookie as the browser sent it to `/admin/apps` (pages only). */
  adminSession?: string;
  requestId?: string;
}

/** GET /admin/clients: paging values, search and filters as they came in the query (checked by the registration service). */
export interface ListClientsRequest extends ClientAdminRequest {
  limit?: string;
  offset?: string;
  /** `pending`, `approved`, `rejected` or `disabled`. */
  status?: string;
  /** Words found in the client id or name (case-insensitive). */
  q?: string;
  /** A trust tier (`anonymous`, `initial-access-token`, `software-statement`, `configuration`, `auto-approve`, `administrator`). */
  trust?: string;
  /** A registered grant type. */
  grant_type?: string;
  /** `true`: only clients with a `launch_uri`; `false`: only those without. */
  has_launch_uri?: string;
}

/**
 * POST /admin/clients/:client_id/approve|reject: the privileges decided on,
 * as one space-separated string of scope tokens and grant types (the JSON
 * body's `privileges`); absent means every pending one.
 */
export interface DecidePrivilegesRequest extends ClientAdminRequest {
  clientId: string;
  privileges?: string;
}

/** GET and DELETE /admin/clients/:client_id, POST …/disable, …/enable, …/rotate-secret. */
export interface AdminClientRequest extends ClientAdminRequest {
  clientId: string;
}

/** PUT /admin/clients/:client_id: RFC 7592 §2.2 semantics (the whole record; omitted fields are deleted) without the registration access token. */
export interface AdminUpdateClientRequest extends AdminClientRequest {
  /** The parsed JSON body, not yet validated. */
  metadata: unknown;
  /** A public key pasted as PEM or JWK text: replaces the registered `jwks`. */
  publicKey?: string;
}

/** POST /admin/clients: an administrator registers a client (the same validation as POST /register). */
export interface AdminRegisterClientRequest extends ClientAdminRequest {
  /** The parsed JSON body (RFC 7591 §2 metadata), not yet validated. */
  metadata: unknown;
  /** A public key pasted as PEM (SPKI) or JWK / JWK Set text, stored as the client's `jwks`. */
  publicKey?: string;
}

/** POST /admin/clients/:client_id/rotate-secret: the new secret, shown this once (only its hash is kept). */
export interface RotatedClientSecret {
  client_id: string;
  client_secret: string;
  client_secret_expires_at: number;
}

/** A client's state for administrators: its approval status, or `disabled` (refused everywhere, its grants kept). */
export type ClientStatus = ClientApprovalStatus | 'disabled';

/** An audit event about a client, as the detail shows it. */
export interface ClientAuditEntry {
  id: string;
  type: string;
  occurred_at: string;
  request_id?: string;
  /** Who did it, when an administrator did (`user:<id>` signed in to the pages, `client:<client_id>` with an admin token). */
  actor?: string;
}

/** A client as an administrator sees it: its metadata and dates, never a secret, a hash or a registration access token. */
export interface AdminClientView extends ClientMetadata {
  client_id: string;
  client_id_issued_at: number;
  /** Managed by configuration (the bootstrap administrator, or CLIENTS_FILE): not deletable through the API. */
  managed: boolean;
  /** Which configuration manages it: `admin` (ADMIN_CLIENT_ID) or `clients-file` (CLIENTS_FILE); null when registered. */
  managed_by: string | null;
  /** RFC 3339. */
  created_at: string;
  updated_at: string;
  /** `disabled` when an administrator disabled it; else trust tiers: `pending` while a privilege awaits approval, `rejected` when one was refused, else `approved`. */
  status: ClientStatus;
  /** The approval status, disabled or not. */
  approval_status: ClientApprovalStatus;
  /** RFC 3339: when it was disabled (absent while enabled). */
  disabled_at?: string;
  /** How the client came to hold its privileges. */
  trust: ClientTrust;
  /** The issuer of the software statement that vouched for it, when one did. */
  software_statement_issuer?: string;
  /** A client registered through UDAP: who it is in its trust community (UDAP Security 2.0 §3.4). */
  udap?: AdminUdapIdentity;
  privileges_approved: ClientPrivileges;
  privileges_pending: ClientPrivileges;
  privileges_rejected: ClientPrivileges;
  /** RFC 3339: the last token issued to it (from the audit trail); null when none; absent when the audit service did not answer. */
  last_used_at?: string | null;
  /** Its grants in force (from the authorization service); absent when that service did not answer. */
  live_grants?: number;
}

/** What an administrator sees of a UDAP client's identity (no key material). */
export interface AdminUdapIdentity {
  /** Its URI: the software statement's `iss`, a uniformResourceIdentifier SAN of its certificate. */
  issuer: string;
  /** Its trust community's URI, when UDAP_COMMUNITIES_FILE names one. */
  community?: string;
  /** SHA-256 (hex) of the community's trust anchor. */
  anchor_sha256: string;
  /** SHA-256 (hex) of the certificate that registered it, or last modified its registration. */
  certificate_sha256: string;
}

/** GET /admin/clients/:client_id: the client, what its keys are, and what happened to it lately. */
export interface AdminClientDetail extends AdminClientView {
  /** The `kid`s of its registered `jwks`, or of the JWK Set its `jwks_uri` serves now (absent when it has neither or the fetch failed). */
  key_ids?: string[];
  /** Why the `jwks_uri` could not be read, when it could not. */
  jwks_uri_error?: string;
  /** Its latest audit events, newest first (absent when the audit service did not answer). */
  recent_events?: ClientAuditEntry[];
}

/**
 * An app an EHR launcher may offer (issue #16): approved (nothing pending or
 * refused), enabled, with a `launch_uri` and the SMART `launch` scope
 * registered. Only what the launcher shows and needs; no secrets, no keys.
 */
export interface LaunchableApp {
  client_id: string;
  client_name?: string;
  client_uri?: string;
  logo_uri?: string;
  tos_uri?: string;
  policy_uri?: string;
  launch_uri: string;
}

export interface ClientListResponse {
  clients: AdminClientView[];
  limit: number;
  offset: number;
  /** How many clients match the search and filters. */
  total: number;
}

/** POST /register with `udap` in the body (UDAP Dynamic Client Registration, UDAP Security 2.0 §3): the parsed JSON body. */
export interface UdapRegisterRequest {
  body: unknown;
  requestId?: string;
}

/**
 * The answer to a UDAP registration: `201` for a new registration, `200`
 * for a modification or a cancellation of an earlier one (UDAP Security 2.0
 * §3.4), with the registration response (the software statement echoed,
 * RFC 7591 §3.2.1).
 */
export interface UdapRegistrationAnswer {
  status: 200 | 201;
  body: Record<string, unknown>;
}

/** Which `.well-known/udap` is asked for: the one under the issuer, or the one under the FHIR base URL. */
export type UdapMetadataBase = 'issuer' | 'fhir';

export interface UdapMetadataRequest {
  base: UdapMetadataBase;
  /** The `community` query parameter (UDAP Security 2.0 §2.4), as given. */
  community?: string;
}

/** UDAP metadata the registration service vouches for (the rest of `.well-known/udap` is composed by the gateway). */
export interface UdapServerMetadata {
  udap_versions_supported: string[];
  udap_authorization_extensions_supported: string[];
  udap_authorization_extensions_required: string[];
  udap_certifications_supported: string[];
  udap_certifications_required: string[];
  token_endpoint_auth_signing_alg_values_supported: string[];
  registration_endpoint_jwt_signing_alg_values_supported: string[];
  /** UDAP Security 2.0 §2.3: the JWT with `x5c`, `iss` = `sub` = the base URL, the endpoints. */
  signed_metadata: string;
}

/**
 * `not_configured`: no UDAP here (or the server certificate does not name
 * this base URL), 404; `unknown_community`: 204 (UDAP Security 2.0 §2.4).
 */
export type UdapMetadataAnswer = { outcome: 'not_configured' } | { outcome: 'unknown_community' } | { outcome: 'ok'; metadata: UdapServerMetadata };
