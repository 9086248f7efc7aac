import type { ClientMetadata } from './client-record.js';

/** RFC 7591 §3.2.1 and RFC 7592 §3 client information response. */
export interface ClientInformationResponse extends ClientMetadata {
  client_id: string;
  client_secret?: string;
  client_id_issued_at: number;
  client_secret_expires_at?: number;
  registration_access_token: string;
  registration_client_uri: string;
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
