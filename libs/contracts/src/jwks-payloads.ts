/** A public JWK as published at /jwks. */
export type PublicJwk = Record<string, unknown> & { kid: string; kty: string; alg: string; use: 'sig' };

export interface PublicJwksResponse {
  keys: PublicJwk[];
  /** Seconds a cache may keep the document (drives Cache-Control at /jwks). */
  maxAgeSeconds: number;
}

/**
 * A signing key as distributed to token issuers: the private JWK stays
 * encrypted (AES-256-GCM under the key-encryption key) on the wire too, so
 * only holders of the key-encryption key can sign.
 */
export interface DistributedSigningKey {
  kid: string;
  alg: string;
  state: 'next' | 'active' | 'retired';
  /** base64url AES-256-GCM envelope of the private JWK (see libs/oauth crypto/key-encryption). */
  encryptedPrivateJwk: string;
  publicJwk: PublicJwk;
}

export interface SigningKeysResponse {
  keys: DistributedSigningKey[];
}

/** An admin call on the key ring: the caller's bearer token (scope `admin`) is checked by the jwks service. */
export interface KeyAdminRequest {
  /** The HTTP Authorization header as received (RFC 6750 §2.1). */
  authorization?: string;
  requestId?: string;
}

export interface RotateKeysRequest extends KeyAdminRequest {
  /** Rotate this algorithm only; every configured algorithm when absent. */
  alg?: string;
}

/** One key of the ring as an administrator sees it: never private material. */
export interface KeyDescription {
  kid: string;
  alg: string;
  state: 'next' | 'active' | 'retired';
  /** RFC 3339 timestamps. `created_at` is when the key entered /jwks. */
  created_at: string;
  activated_at: string | null;
  retired_at: string | null;
  /** Next keys: when the scheduled rotation makes it active (at the earliest). */
  activates_at?: string;
  /** Retired keys: when it leaves /jwks (every token it signed has expired by then). */
  removable_at?: string;
}

export interface KeyListResponse {
  keys: KeyDescription[];
  rotation_interval_seconds: number;
  /** Seconds a `next` key is published before it may sign (the /jwks cache lifetime). */
  prepublication_seconds: number;
  /** Seconds a retired key stays published (max token lifetime plus clock skew). */
  retention_seconds: number;
}

export interface KeyRotationResult {
  alg: string;
  /** The new active key. */
  kid: string;
  previous_kid: string | null;
  /** The `next` key published in its place. */
  next_kid: string;
}

export interface RotateKeysResponse {
  rotated: KeyRotationResult[];
}
