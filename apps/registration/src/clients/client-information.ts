import type { ClientInformationResponse, ClientRecord } from '#contracts';
import { isSymmetric } from '#oauth';
import type { ClientEntity } from '../persistence/entities/client.entity.js';

/**
 * RFC 7591 §3.2.1 / RFC 7592 §3 client information response. The client
 * secret appears only when it was just issued (we keep its hash, not it).
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
    ...(issued.clientSecret ? { client_secret: issued.clientSecret } : {}),
    client_id_issued_at: Number(client.clientIdIssuedAt),
    ...(symmetric ? { client_secret_expires_at: Number(client.clientSecretExpiresAt) } : {}),
    registration_access_token: issued.registrationAccessToken,
    registration_client_uri: `${issuer}/register/${encodeURIComponent(client.clientId)}`,
  };
}

/** The cached view the token path uses: the secret hash, never the registration token hash. */
export function clientRecord(client: ClientEntity): ClientRecord {
  return {
    client_id: client.clientId,
    metadata: client.metadata,
    ...(client.clientSecretHash ? { client_secret_hash: client.clientSecretHash } : {}),
    client_secret_expires_at: Number(client.clientSecretExpiresAt),
    client_id_issued_at: Number(client.clientIdIssuedAt),
    revision: client.revision,
  };
}

/** Fields a registrant may never send in an RFC 7592 update (§2.2). */
export const SERVER_CONTROLLED_FIELDS = ['registration_access_token', 'registration_client_uri', 'client_secret_expires_at', 'client_id_issued_at'] as const;

/** Default scope for a client that registered none. */
export function defaultScopeFor(input: unknown): string {
  const grants = typeof input === 'object' && input !== null ? (input as { grant_types?: unknown }).grant_types : undefined;
  const onlyClientCredentials = Array.isArray(grants) && grants.length > 0 && grants.every((g) => g === 'client_credentials');
  return onlyClientCredentials ? 'system/*.rs' : 'launch/patient openid fhirUser offline_access patient/*.rs';
}
