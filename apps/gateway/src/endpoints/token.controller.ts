import { Controller, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Rpc, WebRoutes } from '#contracts';
import { extractClientAuth } from '../http/client-credentials.extractor.js';
import { authorizationOf, dpopProofsOf, formOf } from '../http/request-input.js';
import { ServiceForwardingController } from './service-forwarding.controller.js';

@Controller()
export class TokenController extends ServiceForwardingController {
  /** RFC 6749 §3.2; Cache-Control/Pragma are set for every /token answer by the edge hook. */
  @Post(WebRoutes.token.path)
  async token(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const { auth, params } = extractClientAuth(authorizationOf(req), formOf(req));
    // RFC 9449 §4.3: the token service checks the proof against the issuer's public URL of /token and POST.
    const dpop = dpopProofsOf(req);
    await this.forward(req, reply, 200, Rpc.token.issue, { params, auth, ...(dpop ? { dpop } : {}) });
  }
}
