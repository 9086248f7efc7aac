import type { ClientMetadata } from '#contracts';
import { generateOpaqueToken, secretMatchesHash, sha256Hex } from '#oauth';
import { ADMIN_MANAGER, ClientEntity } from '../persistence/entities/client.entity.js';
import { CONFIGURATION, privilegeFields } from './client-trust.js';

/** The bootstrap administrator: a confidential backend client with the reserved `admin` scope. */
export const ADMIN_METADATA: Readonly<ClientMetadata> = Object.freeze({
  client_name: 'Administrator',
  redirect_uris: [],
  token_endpoint_auth_method: 'client_secret_basic',
  grant_types: ['client_credentials'],
  response_types: [],
  scope: 'admin introspect',
  application_type: 'web',
});

/**
 * The row the configured administrator client should be, given the stored
 * one: null when it is already right. A new or taken-over row gets a random
 * registration access token that is hashed and thrown away, so the client is
 * never managed through /register.
 */
export function reconcileAdminClient(existing: ClientEntity | null, clientId: string, secret: string, now: Date): ClientEntity | null {
  const wanted = {
    metadata: structuredClone(ADMIN_METADATA) as ClientMetadata,
    clientSecretHash: sha256Hex(secret),
    clientSecretExpiresAt: 0,
    managed: true,
    managedBy: ADMIN_MANAGER,
    ...privilegeFields(ADMIN_METADATA as ClientMetadata, CONFIGURATION),
  };
  if (!existing) {
    return Object.assign(new ClientEntity(), wanted, {
      clientId,
      registrationTokenHash: sha256Hex(generateOpaqueToken(32)),
      clientIdIssuedAt: Math.floor(now.getTime() / 1000),
      revision: 1,
    });
  }
  const unchanged =
    existing.managed &&
    existing.managedBy === ADMIN_MANAGER &&
    existing.trust === 'configuration' &&
    existing.clientSecretHash !== null &&
    secretMatchesHash(secret, existing.clientSecretHash) &&
    Number(existing.clientSecretExpiresAt) === 0 &&
    canonicalJson(existing.metadata) === canonicalJson(ADMIN_METADATA);
  if (unchanged) return null;
  return Object.assign(new ClientEntity(), existing, wanted, {
    // A client registered under this id through /register loses its registration access token.
    registrationTokenHash: existing.managed ? existing.registrationTokenHash : sha256Hex(generateOpaqueToken(32)),
    revision: existing.revision + 1,
  });
}

/** JSON with object keys sorted: jsonb does not keep key order, so stored metadata is compared this way. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}
