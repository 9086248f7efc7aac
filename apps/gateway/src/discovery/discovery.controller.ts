import { Controller, Get, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { WebRoutes } from '#contracts';
import { authorizationServerMetadata, DiscoveryService, smartConfiguration, type Metadata } from './discovery.service.js';

function send(reply: FastifyReply, doc: Metadata): void {
  // Always JSON, whatever the Accept header (SMART 2.2, D-01).
  reply.header('content-type', 'application/json; charset=utf-8').header('cache-control', 'public, max-age=60').send(JSON.stringify(doc));
}

@Controller()
export class DiscoveryController {
  constructor(private readonly discovery: DiscoveryService) {}

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
}

/** The SMART document under the FHIR base path (registered at start with the configured path). */
export async function fhirSmartConfiguration(discovery: DiscoveryService, reply: FastifyReply): Promise<void> {
  send(reply, smartConfiguration(await discovery.metadata()));
}
