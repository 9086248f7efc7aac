import { Controller, Inject, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Rpc, type IntrospectionCaller } from '#contracts';
import { ServiceBus } from '#nest';
import { InvalidClient } from '#oauth';
import { bearerToken, extractClientAuth } from '../http/client-credentials.extractor.js';
import { sendJson } from '../http/json-reply.js';
import { authorizationOf, formOf, requestIdOf } from '../http/request-input.js';

@Controller()
export class IntrospectionController {
  constructor(@Inject(ServiceBus) private readonly bus: ServiceBus) {}

  /** RFC 7662 §2.1: the caller authenticates as a client or with a bearer token. */
  @Post('/introspect')
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
    const body = await this.bus.request(Rpc.introspection.introspect, { params, caller, requestId: requestIdOf(req) });
    sendJson(reply, 200, body);
  }

  /** RFC 7009 §2.2: 200 whether or not the token was known. */
  @Post('/revoke')
  async revoke(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const { auth, params } = extractClientAuth(authorizationOf(req), formOf(req));
    await this.bus.request(Rpc.introspection.revoke, { params, auth, requestId: requestIdOf(req) });
    reply.code(200).send();
  }
}
