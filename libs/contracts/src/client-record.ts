/** Client authentication methods (RFC 7591 §2, OIDC Core §9). */
export type TokenEndpointAuthMethod = 'none' | 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt';

export interface JsonWebKeySet {
  keys: Array<Record<string, unknown>>;
}

/**
 * Client metadata as registered (RFC 7591 §2 plus the OIDC and SMART fields
 * we honour). This is what the registration endpoint returns, minus secrets.
 */
export interface ClientMetadata {
  redirect_uris: string[];
  token_endpoint_auth_method: TokenEndpointAuthMethod;
  grant_types: string[];
  response_types: string[];
  client_name?: string;
  client_uri?: string;
  logo_uri?: string;
  scope: string;
  contacts?: string[];
  tos_uri?: string;
  policy_uri?: string;
  jwks_uri?: string;
  jwks?: JsonWebKeySet;
  software_id?: string;
  software_version?: string;
  post_logout_redirect_uris?: string[];
  id_token_signed_response_alg?: string;
  token_endpoint_auth_signing_alg?: string;
  application_type?: 'web' | 'native';
  /**
   * The app's EHR launch URL (SMART App Launch 2.2 §"EHR Launch": the EHR
   * opens it with `iss` and `launch`); registered as in the SMART seed's
   * registration examples. Absolute https, or http on a loopback host.
   */
  launch_uri?: string;
  /** RFC 9126 §6: the client may start an authorization request only by pushing it (`POST /par`). */
  require_pushed_authorization_requests?: boolean;
  /** RFC 9449 §5.2: the client always uses DPoP; a token request without a proof is refused. */
  dpop_bound_access_tokens?: boolean;
}

/**
 * Privileges a client may use without a person's consent (issue #13, trust
 * tiers): `system/…` scopes, `introspect`, `launch` (the EHR role) as scope
 * tokens, and the `urn:ietf:params:oauth:grant-type:jwt-bearer` grant type.
 * The rule of which are privileged is `libs/oauth/src/clients/client-privileges.ts`.
 */
export interface ClientPrivileges {
  /** Scope tokens as registered. */
  scope: string[];
  grant_types: string[];
}

/** Whether a client's privileges await an administrator (`pending`), were refused in part (`rejected`) or nothing awaits (`approved`). */
export type ClientApprovalStatus = 'approved' | 'pending' | 'rejected';

/** How a client came to hold its privileges (its trust tier). */
/** `administrator`: registered by an administrator (POST /admin/clients, the register form), who vouches for what it asks. */
/** `udap`: registered with a UDAP software statement whose certificate chains to a configured trust community (issue #17). */
export type ClientTrust = 'anonymous' | 'initial-access-token' | 'software-statement' | 'configuration' | 'auto-approve' | 'administrator' | 'udap';

export const CLIENT_TRUSTS: readonly ClientTrust[] = ['anonymous', 'initial-access-token', 'software-statement', 'configuration', 'auto-approve', 'administrator', 'udap'];

/**
 * Who a client registered through UDAP trusted dynamic registration is
 * (UDAP Security 2.0 §3.4): the same `iss` under the same trust anchor is the
 * same client, whatever certificate it presents later (a renewed one).
 */
export interface UdapClientIdentity {
  /** The software statement's `iss`: a uniformResourceIdentifier SAN of its certificate. */
  iss: string;
  /** SHA-256 (lower-case hex) of the trust anchor its certificate chained to: its community. */
  anchor_sha256: string;
  /** The community's URI, when UDAP_COMMUNITIES_FILE names one. */
  community?: string;
  /** SHA-256 (lower-case hex) of the certificate that registered, or last modified, the registration. */
  certificate_sha256: string;
  /** That certificate's public key (JWK, public members only). */
  public_jwk: Record<string, unknown>;
  /**
   * The trust anchor's certificate (base64 DER) while this server still trusts
   * that community; absent once it is no longer configured. UDAP client
   * authentication validates the client's `x5c` chain to this anchor.
   */
  anchor_certificate?: string;
}

/**
 * The internal view of a client that token, introspection and authorization
 * services cache. Carries the secret *hash*, never the secret.
 */
export interface ClientRecord {
  client_id: string;
  metadata: ClientMetadata;
  /** SHA-256 (hex) of the client secret, for symmetric clients. */
  client_secret_hash?: string;
  /** Seconds since epoch; 0 means the secret never expires. */
  client_secret_expires_at?: number;
  client_id_issued_at: number;
  /** Bumped on every update, so caches can tell stale copies apart. */
  revision: number;
  /** Registered privileges not usable until an administrator approves them; absent when none. */
  privileges_pending?: ClientPrivileges;
  /** Registered privileges an administrator refused; never usable; absent when none. */
  privileges_rejected?: ClientPrivileges;
  /** Present for a client registered through UDAP (its identity for UDAP client authentication). */
  udap?: UdapClientIdentity;
}

/** Credentials as the gateway extracted them from the HTTP request (RFC 6749 §2.3). */
export type PresentedClientAuth =
  | { method: 'client_secret_basic'; clientId: string; clientSecret: string }
  | { method: 'client_secret_post'; clientId: string; clientSecret: string }
  /** `udap`: the token request's `udap` parameter (UDAP Security 2.0 §4.2.2, §5.2.2: `1` with a UDAP Authentication Token). */
  | { method: 'private_key_jwt'; clientId?: string; assertionType: string; assertion: string; udap?: string }
  | { method: 'none'; clientId: string }
  | { method: 'absent' };
