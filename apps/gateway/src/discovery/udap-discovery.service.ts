import { Inject, Injectable } from '@nestjs/common';
import { Rpc, type UdapMetadataBase } from '#contracts';
import { ServiceBus } from '#nest';
import { GatewayConfig } from '../config/gateway.config.js';
import { DiscoveryService, type Metadata } from './discovery.service.js';
import { udapDocument } from './udap-document.js';

/** What `.well-known/udap` answers: the document, `204` for a community it does not know, `404` without UDAP. */
export type UdapAnswer = { status: 200; document: Metadata } | { status: 204 } | { status: 404 };

/** Answers kept at most (one per base URL and community asked for). */
const MAX_CACHED = 64;

/**
 * `.well-known/udap` (UDAP Security 2.0 §2), under the issuer and under the
 * FHIR base URL: composed from the suite's discovery metadata and the
 * registration service's UDAP part (which holds the server certificate and
 * signs `signed_metadata`), cached for DISCOVERY_CACHE_MS.
 */
@Injectable()
export class UdapDiscovery {
  private readonly cache = new Map<string, { at: number; answer: Promise<UdapAnswer> }>();

  constructor(
    private readonly config: GatewayConfig,
    private readonly discovery: DiscoveryService,
    @Inject(ServiceBus) private readonly bus: ServiceBus,
  ) {}

  answer(base: UdapMetadataBase, community: string | undefined): Promise<UdapAnswer> {
    const key = `${base} ${community ?? ''}`;
    const now = Date.now();
    const cached = this.cache.get(key);
    if (cached && now - cached.at < this.config.DISCOVERY_CACHE_MS) return cached.answer;
    if (this.cache.size >= MAX_CACHED) this.cache.clear();
    const answer = this.compose(base, community);
    this.cache.set(key, { at: now, answer });
    // A failure (the registration service did not answer) is not kept.
    answer.catch(() => this.cache.delete(key));
    return answer;
  }

  private async compose(base: UdapMetadataBase, community: string | undefined): Promise<UdapAnswer> {
    const [server, merged] = await Promise.all([
      this.bus.request(Rpc.registration.udapMetadata, { base, ...(community !== undefined ? { community } : {}) }, { timeoutMs: 2000 }),
      this.discovery.metadata(),
    ]);
    if (server.outcome === 'not_configured') return { status: 404 };
    if (server.outcome === 'unknown_community') return { status: 204 };
    return { status: 200, document: udapDocument(merged, server.metadata) };
  }
}
