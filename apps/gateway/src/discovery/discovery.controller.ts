import { Controller, Get, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { WebRoutes, type UdapMetadataBase } from '#contracts';
import { InvalidRequest, NotFound } from '#oauth';
import { authorizationServerMetadata, DiscoveryService, smartConfiguration, type Metadata } from './discovery.service.js';
import { UdapDiscovery } from './udap-discovery.service.js';

function send(reply: FastifyReply, doc: Metadata): void {
  // Always JSON, whatever the Accept header (SMART 2.2, D-01).
  reply.header('content-type', 'application/json; charset=utf-8').header('cache-control', 'public, max-age=60').send(JSON.stringify(doc));
}

@Controller()
export class DiscoveryController {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly udap: UdapDiscovery,
  ) {}

  @Get(WebRoutes.openidConfiguration.path)
  async openid(@Res() reply: FastifyReply): Promise<void> {
    send(reply, authorizationServerMetadata(await this.discovery.metadata()));
  }

  @Get(WebRoutes.oauthAuthorizationServer.path)
  async oauth(@Res() reply: FastifyReply): Promise<void> {
    send(reply, authorizationServerMetadata(await this.discovery.metadata()));
  }

  @Get(WebRoutes.smartConfiguration.path)
  async smart(@Res() reply: FastifyReply): Promise<void> {
    send(reply, smartConfiguration(await this.discovery.metadata()));
  }

  @Get(WebRoutes.udapConfiguration.path)
  async udapMetadata(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await sendUdapDocument(this.udap, 'issuer', req, reply);
  }
}

/**
 * `.well-known/udap` (UDAP Security 2.0 §2): the document; `204` for a
 * `community` this server does not know (§2.4); `404` when UDAP is not
 * configured (§2.2: "If no UDAP workflows are supported").
 */
export async function sendUdapDocument(udap: UdapDiscovery, base: UdapMetadataBase, req: FastifyRequest, reply: FastifyReply): Promise<void> {
  const community = (req.query as Record<string, unknown> | undefined)?.community;
  if (community !== undefined && typeof community !== 'string') throw new InvalidRequest('community must be given once');
  const answer = await udap.answer(base, community);
  if (answer.status === 404) throw new NotFound('UDAP is not supported here');
  if (answer.status === 204) return void reply.code(204).header('cache-control', 'public, max-age=60').send();
  send(reply, answer.document);
}

/** The SMART document under the FHIR base path (registered at start with the configured path). */
export async function fhirSmartConfiguration(discovery: DiscoveryService, reply: FastifyReply): Promise<void> {
  send(reply, smartConfiguration(await discovery.metadata()));
}
