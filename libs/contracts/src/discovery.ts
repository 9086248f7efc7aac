/**
 * What one service contributes to the discovery documents. The gateway asks
 * every service for its fragment and merges them, so a document advertises
 * only what answered. Arrays are unioned; scalars are taken as given.
 * Endpoint values are paths relative to the issuer (for example `/token`).
 */
export interface DiscoveryFragment {
  service: string;
  /** Endpoint paths, keyed by metadata name (`token_endpoint` → `/token`). */
  endpoints?: Record<string, string>;
  /** Values that are arrays in metadata (unioned across services). */
  lists?: Record<string, string[]>;
  /** Scalar or object metadata values. */
  values?: Record<string, string | boolean | number>;
  /** SMART capabilities that work at this commit. */
  capabilities?: string[];
}

export interface HealthReport {
  service: string;
  status: 'ok' | 'degraded';
  /** Each dependency (`database`, `broker`) and readiness condition (`revocations`): `catching_up` while this replica recovers what it missed. */
  checks: Record<string, 'ok' | 'down' | 'catching_up'>;
}
