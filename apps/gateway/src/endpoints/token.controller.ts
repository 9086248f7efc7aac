import { Controller, Inject, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Rpc, WebRoutes } from '#contracts';
import { ServiceBus } from '#nest';
import { extractClientAuth } from '../http/client-credentials.extractor.js';
import { sendJson } from '../http/json-reply.js';
import { authorizationOf, formOf, requestIdOf } from '../http/request-input.js';

@Controller()
export class TokenController {
  constructor(@Inject(ServiceBus) private readonly bus: ServiceBus) {}

  /** RFC 6749 §3.2; Cache-Control/Pragma are set for every /token answer by the edge hook. */
  @Post(WebRoutes.token.path)
  async token(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const { auth, params } = extractClientAuth(authorizationOf(req), formOf(req));
    const body = await this.bus.request(Rpc.token.issue, { params, auth, requestId: requestIdOf(req) });
    sendJson(reply, 200, body);
  }
}
