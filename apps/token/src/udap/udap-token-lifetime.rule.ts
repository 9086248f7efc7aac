import type { ClientRecord } from '#contracts';

/** UDAP Security 2.0 §4.2.3 and §5.2.3: access tokens issued to UDAP clients live no longer than 60 minutes. */
export const UDAP_MAX_ACCESS_TOKEN_SECONDS = 3600;

/**
 * The lifetime of an access token for `client`: the configured one, at most
 * an hour for a client registered through UDAP (whatever the settings allow
 * others). Pure.
 */
export function accessTokenLifetime(client: ClientRecord, configuredSeconds: number): number {
  return client.udap ? Math.min(configuredSeconds, UDAP_MAX_ACCESS_TOKEN_SECONDS) : configuredSeconds;
}
