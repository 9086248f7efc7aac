import type { ClientRecord } from '#contracts';
import { InvalidRequest } from '#oauth';

/**
 * UDAP Security 2.0 §7.2.1: a client registered through UDAP includes
 * `state` in its authorization requests, and the server answers one without
 * it with `invalid_request` (RFC 6749 §4.1.2.1, at the redirect URI). Other
 * clients keep RFC 6749's optional `state`. Pure.
 *
 * @throws InvalidRequest
 */
export function checkUdapState(client: ClientRecord, state: string | undefined): void {
  if (client.udap && (state === undefined || state === '')) throw new InvalidRequest('state is required from an app registered through UDAP (UDAP Security 2.0 §7.2.1)');
}
