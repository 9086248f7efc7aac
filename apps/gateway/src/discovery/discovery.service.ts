import { Inject, Injectable } from '@nestjs/common';
import { Rpc, SERVICES, type DiscoveryFragment } from '#contracts';
import { ServiceBus } from '#nest';
import { GatewayConfig } from '../config/gateway.config.js';

export type Metadata = Record<string, unknown>;

/** Fields of the SMART configuration (SMART App Launch 2.2 conformance §metadata). */
const SMART_FIELDS = [
  'issuer',
  'jwks_uri',
  'authorization_endpoint',
  'token_endpoint',
  'token_endpoint_auth_methods_supported',
  'token_endpoint_auth_signing_alg_values_supported',
  'grant_types_supported',
  'registration_endpoint',
  'scopes_supported',
  'response_types_supported',
  'management_endpoint',
  'introspection_endpoint',
  'revocation_endpoint',
  'code_challenge_methods_supported',
  // RFC 9126 §5, not in SMART's list: SMART clients that push their requests find the endpoint here too.
  'pushed_authorization_request_endpoint',
  'require_pushed_authorization_requests',
  // RFC 9449 §5.1, not in SMART's list either: SMART clients that use DPoP find the algorithms here too.
  'dpop_signing_alg_values_supported',
  'user_access_brand_bundle',
  'user_access_brand_identifier',
  'capabilities',
];

/** Merges what every service reports into one metadata object. Pure, for tests. */
export function mergeFragments(issuer: string, fragments: DiscoveryFragment[]): Metadata {
  const metadata: Metadata = { issuer };
  const lists = new Map<string, string[]>();
  const capabilities: string[] = [];
  for (const fragment of fragments) {
    for (const [name, path] of Object.entries(fragment.endpoints ?? {})) metadata[name] = `${issuer}${path}`;
    for (const [name, values] of Object.entries(fragment.lists ?? {})) {
      const list = lists.get(name) ?? [];
      for (const v of values) if (!list.includes(v)) list.push(v);
      lists.set(name, list);
    }
    for (const [name, value] of Object.entries(fragment.values ?? {})) metadata[name] = value;
    for (const c of fragment.capabilities ?? []) if (!capabilities.includes(c)) capabilities.push(c);
  }
  for (const [name, list] of lists) metadata[name] = list;
  metadata.capabilities = capabilities;
  return metadata;
}

/** SMART's document: `issuer`/`jwks_uri` only with `sso-openid-connect` (SMART 2.2, D-03). */
export function smartConfiguration(metadata: Metadata): Metadata {
  const sso = (metadata.capabilities as string[]).includes('sso-openid-connect');
  const doc: Metadata = {};
  for (const field of SMART_FIELDS) {
    if (metadata[field] === undefined) continue;
    if (!sso && (field === 'issuer' || field === 'jwks_uri')) continue;
    doc[field] = metadata[field];
  }
  return doc;
}

/** OIDC Discovery and RFC 8414 documents: everything reported, SMART capabilities aside. */
export function authorizationServerMetadata(metadata: Metadata): Metadata {
  const { capabilities: _capabilities, ...rest } = metadata;
  void _capabilities;
  return rest;
}

/** Composes the discovery documents from what the services report, cached briefly. */
@Injectable()
export class DiscoveryService {
  private cached?: { at: number; metadata: Promise<Metadata> };

  constructor(
    private readonly config: GatewayConfig,
    @Inject(ServiceBus) private readonly bus: ServiceBus,
  ) {}

  metadata(): Promise<Metadata> {
    const now = Date.now();
    if (this.cached && now - this.cached.at < this.config.DISCOVERY_CACHE_MS) return this.cached.metadata;
    const metadata = this.compose();
    this.cached = { at: now, metadata };
    return metadata;
  }

  private async compose(): Promise<Metadata> {
    const answers = await Promise.allSettled(SERVICES.map((s) => this.bus.request(Rpc.service[s].metadata, {}, { timeoutMs: 1000 })));
    const fragments = answers.flatMap((a) => (a.status === 'fulfilled' && a.value ? [a.value] : []));
    // A service that did not answer is asked again on the next request rather than after the cache period.
    if (fragments.length < SERVICES.length) this.cached = undefined;
    return mergeFragments(this.config.ISSUER, fragments);
  }
}
