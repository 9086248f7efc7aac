import type { ClientEventData, ClientInformationResponse, ClientRecord, UdapClientIdentity } from '#contracts';
import { hasPrivileges, isSymmetric } from '#oauth';
import type { ClientEntity } from '../persistence/entities/client.entity.js';
import { withheldPrivileges } from './client-trust.js';

/**
 * RFC 7591 §3.2.1 / RFC 7592 §3 client information response: every
 * registered metadata value, plus the server's fields. `client_secret`
 * appears only when it was just issued: we keep its hash, not the secret, and
 * RFC 7592 §3 makes it optional on read. `client_secret_expires_at` (REQUIRED
 * when a secret is issued) is present for every symmetric client.
 */
export function clientInformation(
  client: ClientEntity,
  issuer: string,
  issued: { registrationAccessToken: string; clientSecret?: string },
): ClientInformationResponse {
  const symmetric = isSymmetric(client.metadata.token_endpoint_auth_method);
  return {
    ...client.metadata,
    client_id: client.clientId,
    ...(issued.clientSecret !== undefined ? { client_secret: issued.clientSecret } : {}),
    client_id_issued_at: Number(client.clientIdIssuedAt),
    ...(symmetric ? { client_secret_expires_at: Number(client.clientSecretExpiresAt) } : {}),
    registration_access_token: issued.registrationAccessToken,
    registration_client_uri: `${issuer}/register/${encodeURIComponent(client.clientId)}`,
    ...withheldFields(client),
  };
}

/** `privileges_pending` / `privileges_rejected`, each only when it holds something. */
export function withheldFields(client: ClientEntity): Pick<ClientRecord, 'privileges_pending' | 'privileges_rejected'> {
  const { pending, rejected } = withheldPrivileges(client);
  return { ...(hasPrivileges(pending) ? { privileges_pending: pending } : {}), ...(hasPrivileges(rejected) ? { privileges_rejected: rejected } : {}) };
}

/**
 * The cached view the token path uses: the secret hash, never the registration
 * token hash; for a UDAP client, its identity and its community's trust anchor
 * (`anchorCertificate`, base64 DER) while this server trusts that community.
 */
export function clientRecord(client: ClientEntity, anchorCertificate?: string): ClientRecord {
  return {
    client_id: client.clientId,
    metadata: client.metadata,
    ...(client.clientSecretHash ? { client_secret_hash: client.clientSecretHash } : {}),
    client_secret_expires_at: Number(client.clientSecretExpiresAt),
    client_id_issued_at: Number(client.clientIdIssuedAt),
    revision: client.revision,
    ...withheldFields(client),
    ...(client.udapIssuer ? { udap: { ...udapIdentity(client), ...(anchorCertificate ? { anchor_certificate: anchorCertificate } : {}) } } : {}),
  };
}

/** Who a UDAP-registered client is (its `iss` in its community, the certificate that registered it). */
export function udapIdentity(client: ClientEntity): UdapClientIdentity {
  return {
    iss: client.udapIssuer!,
    anchor_sha256: client.udapAnchorSha256!,
    ...(client.udapCommunity ? { community: client.udapCommunity } : {}),
    certificate_sha256: client.udapCertificateSha256!,
    public_jwk: client.udapPublicKey ?? {},
  };
}

/** The data of a `client.*` event: who the client is and what it may do, no secrets; `actor`: the administrator who changed it. */
export function clientEventData(client: ClientEntity, actor?: string): ClientEventData {
  return {
    client_id: client.clientId,
    ...(client.metadata.client_name !== undefined ? { client_name: client.metadata.client_name } : {}),
    token_endpoint_auth_method: client.metadata.token_endpoint_auth_method,
    grant_types: client.metadata.grant_types,
    scope: client.metadata.scope,
    revision: client.revision,
    status: client.approvalStatus,
    ...(hasPrivileges(withheldPrivileges(client).pending) ? { privileges_pending: withheldPrivileges(client).pending } : {}),
    ...(client.disabledAt ? { disabled: true as const } : {}),
    ...(actor !== undefined ? { actor } : {}),
  };
}
