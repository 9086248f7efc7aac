import { Inject, Injectable, Logger } from '@nestjs/common';
import type { UdapMetadataAnswer, UdapMetadataRequest } from '#contracts';
import { authorizationExtensionPolicy, UDAP_SIGNING_ALGS } from '#nest';
import { InvalidRequest } from '#oauth';
import { RegistrationConfig } from '../config/registration.config.js';
import { signedMetadata } from './signed-metadata.js';
import { UDAP_CONFIGURATION, type UdapConfiguration } from './udap-configuration.js';
import { UDAP_VERSIONS } from './udap-registration-request.js';

/**
 * The part of `.well-known/udap` the registration service vouches for (UDAP
 * Security 2.0 §2.2): versions, the authorization extension objects read at
 * /token (UDAP_AUTHORIZATION_EXTENSIONS_SUPPORTED and …_REQUIRED, as the token
 * service reads them), certifications (none supported or required yet), the
 * algorithms it verifies, and
 * `signed_metadata` signed with the community's server certificate when the
 * request names a known community (§2.4), the default one otherwise.
 */
@Injectable()
export class UdapMetadata {
  private readonly logger = new Logger('UdapMetadata');
  private readonly warned = new Set<string>();

  constructor(
    private readonly config: RegistrationConfig,
    @Inject(UDAP_CONFIGURATION) private readonly udap: UdapConfiguration | null,
  ) {}

  async answer(request: UdapMetadataRequest): Promise<UdapMetadataAnswer> {
    if (!this.udap) return { outcome: 'not_configured' };
    let signer = this.udap.signer;
    if (request.community !== undefined) {
      const community = this.udap.communities.find((c) => c.uri !== undefined && c.uri === request.community);
      if (!community) return { outcome: 'unknown_community' };
      signer = community.signer ?? signer;
    }
    const baseUrl = request.base === 'fhir' ? this.config.FHIR_BASE_URL : this.config.ISSUER;
    const extensions = authorizationExtensionPolicy(this.config);
    const jwt = await signedMetadata(signer, baseUrl, this.config.ISSUER);
    if (!jwt) {
      this.warnOnce(`${signer.leaf.sha256}:${baseUrl}`, `no signed_metadata for ${baseUrl}: the server certificate ${signer.leaf.subject} does not name it as a URI SAN, or is outside its validity period; .well-known/udap answers 404 there`);
      return { outcome: 'not_configured' };
    }
    return {
      outcome: 'ok',
      metadata: {
        udap_versions_supported: [...UDAP_VERSIONS],
        udap_authorization_extensions_supported: extensions.supported,
        udap_authorization_extensions_required: extensions.required,
        udap_certifications_supported: [],
        udap_certifications_required: [],
        token_endpoint_auth_signing_alg_values_supported: [...UDAP_SIGNING_ALGS],
        registration_endpoint_jwt_signing_alg_values_supported: [...UDAP_SIGNING_ALGS],
        signed_metadata: jwt,
      },
    };
  }

  private warnOnce(key: string, message: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.logger.warn(message);
  }
}

/** The RPC payload, checked (NATS is a boundary too). @throws InvalidRequest */
export function parseUdapMetadataRequest(payload: unknown): UdapMetadataRequest {
  const { base, community } = (typeof payload === 'object' && payload !== null ? payload : {}) as Record<string, unknown>;
  if (base !== 'issuer' && base !== 'fhir') throw new InvalidRequest('base must be "issuer" or "fhir"');
  if (community !== undefined && (typeof community !== 'string' || community.length > 2048)) throw new InvalidRequest('community must be a URI');
  return { base, ...(community !== undefined ? { community } : {}) };
}
