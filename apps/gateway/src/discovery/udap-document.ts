import type { UdapServerMetadata } from '#contracts';
import type { Metadata } from './discovery.service.js';

/** Grant types a UDAP client may register (UDAP Security 2.0 §2.2 `grant_types_supported`, §3.1). */
const UDAP_GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials'];

/**
 * `.well-known/udap` (UDAP Security 2.0 §2.2): what the registration
 * service vouches for (versions, extensions, certifications, algorithms,
 * `signed_metadata`) with the suite's endpoints, grant types and scopes as
 * the other discovery documents report them. `udap_profiles_supported`:
 * `udap_dcr` and `udap_authn` always (§2.2 requires both), `udap_authz` with
 * the client credentials grant; never `udap_to` (Tiered OAuth is not
 * supported). Pure, for tests.
 */
export function udapDocument(merged: Metadata, server: UdapServerMetadata): Metadata {
  const grants = Array.isArray(merged.grant_types_supported) ? (merged.grant_types_supported as string[]) : [];
  const grantTypes = UDAP_GRANT_TYPES.filter((g) => grants.includes(g) && (g !== 'refresh_token' || grants.includes('authorization_code')));
  const code = grantTypes.includes('authorization_code');
  return {
    udap_versions_supported: server.udap_versions_supported,
    udap_profiles_supported: ['udap_dcr', 'udap_authn', ...(grantTypes.includes('client_credentials') ? ['udap_authz'] : [])],
    udap_authorization_extensions_supported: server.udap_authorization_extensions_supported,
    udap_authorization_extensions_required: server.udap_authorization_extensions_required,
    udap_certifications_supported: server.udap_certifications_supported,
    udap_certifications_required: server.udap_certifications_required,
    grant_types_supported: grantTypes,
    scopes_supported: Array.isArray(merged.scopes_supported) ? merged.scopes_supported : [],
    ...(code && typeof merged.authorization_endpoint === 'string' ? { authorization_endpoint: merged.authorization_endpoint } : {}),
    token_endpoint: merged.token_endpoint,
    token_endpoint_auth_methods_supported: ['private_key_jwt'],
    token_endpoint_auth_signing_alg_values_supported: server.token_endpoint_auth_signing_alg_values_supported,
    registration_endpoint: merged.registration_endpoint,
    registration_endpoint_jwt_signing_alg_values_supported: server.registration_endpoint_jwt_signing_alg_values_supported,
    signed_metadata: server.signed_metadata,
  };
}
