import { Controller, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Rpc, WebRoutes } from '#contracts';
import { extractClientAuth } from '../http/client-credentials.extractor.js';
import { authorizationOf, dpopProofsOf, formOf } from '../http/request-input.js';
import { ServiceForwardingController } from './service-forwarding.controller.js';

/**
 * RFC 9126 §2: the pushed authorization request endpoint. The client's credentials are taken as at `/token`
 * (RFC 6749 §2.3); the authorization service authenticates the client, validates the request as `/authorize`
 * would and answers `201` with the `request_uri` (RFC 9126 §2.2). `Cache-Control: no-store` comes from the
 * edge policy (`WebRoutes.par`); every error is OAuth JSON, never a redirect (RFC 9126 §2.3).
 */
@Controller()
export class ParController extends ServiceForwardingController {
  @Post(WebRoutes.par.path)
  async push(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    // A client_id beside other credentials must name the same client (checked here for Basic, by the assertion's
    // verifier for private_key_jwt); the pushed request is the authenticated client's.
    const { auth, params } = extractClientAuth(authorizationOf(req), formOf(req));
    // RFC 9449 §10.1: a DPoP proof with the push binds the code to its key.
    const dpop = dpopProofsOf(req);
    await this.forward(req, reply, 201, Rpc.authorization.par, { params, auth, ...(dpop ? { dpop } : {}) });
  }
}
