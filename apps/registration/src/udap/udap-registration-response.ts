import { withheldFields } from '../clients/client-information.js';
import type { ClientEntity } from '../persistence/entities/client.entity.js';

/**
 * The registration response of UDAP Dynamic Client Registration §5.1 (RFC
 * 7591 §3.2.1): the `client_id`, the software statement exactly as
 * submitted, and the metadata as registered at the top level. Empty lists
 * the server assigned (no redirect URIs for a client_credentials client) are
 * left out (UDAP Security 2.0 §3.2.3), as are the statement's JWT claims. No
 * registration access token: a UDAP registration is changed by registering
 * again with a statement signed by the certificate (§3.4), not by RFC 7592.
 */
export function udapRegistrationResponse(client: ClientEntity, softwareStatement: string): Record<string, unknown> {
  const metadata = Object.fromEntries(Object.entries(client.metadata).filter(([, value]) => !(Array.isArray(value) && value.length === 0)));
  return {
    client_id: client.clientId,
    software_statement: softwareStatement,
    ...metadata,
    client_id_issued_at: Number(client.clientIdIssuedAt),
    ...withheldFields(client),
  };
}

/** The answer to a cancellation (§3.4): the cancelled `client_id` and an empty `grant_types` as confirmation. */
export function udapCancellationResponse(clientId: string, softwareStatement: string): Record<string, unknown> {
  return { client_id: clientId, software_statement: softwareStatement, grant_types: [] };
}
