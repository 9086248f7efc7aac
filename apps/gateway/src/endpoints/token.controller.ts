import { Controller, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Rpc, WebRoutes } from '#contracts';
import { extractClientAuth } from '../http/client-credentials.extractor.js';
import { authorizationOf, dpopProofsOf, formOf } from '../http/request-input.js';
import { sendJson } from '../http/json-reply.js';
import { ServiceForwardingController } from './service-forwarding.controller.js';

@Controller()
export class TokenController extends ServiceForwardingController {
  /** RFC 6749 §3.2; Cache-Control/Pragma are set for every /token answer by the edge hook. */
  @Post(WebRoutes.token.path)
  async token(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const { auth, params } = extractClientAuth(authorizationOf(req), formOf(req));
    // RFC 9449 §4.3: the token service checks the proof against the issuer's public URL of /token and POST.
    const dpop = dpopProofsOf(req);
    const { dpop_nonce: nonce, ...body } = await this.ask(req, Rpc.token.issue, { params, auth, ...(dpop ? { dpop } : {}) });
    // RFC 9449 §8.2: the server nonce travels as a header, never in the body.
    if (typeof nonce === 'string') reply.header('dpop-nonce', nonce);
    sendJson(reply, 200, body);
  }
}
