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
