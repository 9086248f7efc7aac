import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Rpc, type PublicJwksResponse } from '#contracts';
import { ServiceBus } from '#nest';

/** GET /jwks: public keys only, cacheable as long as the jwks service says. */
@Controller()
export class JwksController {
  private cached?: { at: number; value: PublicJwksResponse };

  constructor(@Inject(ServiceBus) private readonly bus: ServiceBus) {}

  @Get('/jwks')
  async jwks(@Res() reply: FastifyReply): Promise<void> {
    if (!this.cached || Date.now() - this.cached.at > 1000) {
      this.cached = { at: Date.now(), value: await this.bus.request(Rpc.jwks.publicKeys, {}) };
    }
    const { keys, maxAgeSeconds } = this.cached.value;
    reply
      .header('content-type', 'application/json; charset=utf-8')
      .header('cache-control', `public, max-age=${maxAgeSeconds}`)
      .send(JSON.stringify({ keys }));
  }
}
