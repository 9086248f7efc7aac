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

/** An admin call on the client directory: the caller's bearer token (scope `admin`) is checked by the registration service. */
export interface ClientAdminRequest {
  /** The HTTP Authorization header as received (RFC 6750 §2.1). */
  authorization?: string;
  requestId?: string;
}

/** GET /admin/clients: paging values and the status filter as they came in the query (checked by the registration service). */
export interface ListClientsRequest extends ClientAdminRequest {
  limit?: string;
  offset?: string;
  /** `pending`, `approved` or `rejected`. */
  status?: string;
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

/** GET and DELETE /admin/clients/:client_id. */
export interface AdminClientRequest extends ClientAdminRequest {
  clientId: string;
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
  /** Trust tiers: `pending` while a privilege awaits approval, `rejected` when one was refused, else `approved`. */
  status: ClientApprovalStatus;
  /** How the client came to hold its privileges. */
  trust: ClientTrust;
  /** The issuer of the software statement that vouched for it, when one did. */
  software_statement_issuer?: string;
  privileges_approved: ClientPrivileges;
  privileges_pending: ClientPrivileges;
  privileges_rejected: ClientPrivileges;
}

export interface ClientListResponse {
  clients: AdminClientView[];
  limit: number;
  offset: number;
}
