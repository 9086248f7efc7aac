import { Controller, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { MAX_INTROSPECTED_TOKEN_LENGTH, Rpc, WebRoutes, type FormParams, type IntrospectionCaller } from '#contracts';
import { InvalidClient } from '#oauth';
import { bearerToken, extractClientAuth } from '../http/client-credentials.extractor.js';
import { authorizationOf, formOf } from '../http/request-input.js';
import { ServiceForwardingController } from './service-forwarding.controller.js';

/**
 * A token longer than any the suite issues is inactive whatever it holds: only
 * one character more than the longest is forwarded, so a body near
 * BODY_LIMIT_BYTES does not cross NATS (issue #14).
 */
function withinTokenLength(params: FormParams): FormParams {
  const token = params.token;
  return token !== undefined && token.length > MAX_INTROSPECTED_TOKEN_LENGTH ? { ...params, token: token.slice(0, MAX_INTROSPECTED_TOKEN_LENGTH + 1) } : params;
}

@Controller()
export class IntrospectionController extends ServiceForwardingController {
  /** RFC 7662 §2.1: the caller authenticates as a client or with a bearer token. */
  @Post(WebRoutes.introspect.path)
  async introspect(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const authorization = authorizationOf(req);
    const form = formOf(req);
    const bearer = bearerToken(authorization);
    let caller: IntrospectionCaller;
    let params = form;
    if (bearer) {
      caller = { method: 'bearer', token: bearer };
    } else {
      const extracted = extractClientAuth(authorization, form);
      if (extracted.auth.method === 'absent') throw new InvalidClient('authenticate as a client, or with a bearer token', { basic: true });
      caller = extracted.auth;
      params = extracted.params;
    }
    await this.forward(req, reply, 200, Rpc.introspection.introspect, { params: withinTokenLength(params), caller });
  }

  /** RFC 7009 §2.2: 200 whether or not the token was known. */
  @Post(WebRoutes.revoke.path)
  async revoke(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const { auth, params } = extractClientAuth(authorizationOf(req), formOf(req));
    await this.ask(req, Rpc.introspection.revoke, { params, auth });
    reply.code(200).send();
  }
}
