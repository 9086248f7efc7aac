import { All, Controller, Inject, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Rpc } from '#contracts';
import { ServiceBus } from '#nest';
import { sendWebResponse, webRequestOf } from '../http/web-forwarding.js';

/**
 * The browser-facing surface served by the authorization service: the
 * authorization endpoint and its pages, EHR launch contexts, userinfo,
 * logout, the user admin API and the pages' assets. Forwarded as they came;
 * the authorization service answers with the whole HTTP response.
 */
@Controller()
export class WebController {
  constructor(@Inject(ServiceBus) private readonly bus: ServiceBus) {}

  @All([
    '/authorize',
    '/interaction/:id',
    '/interaction/:id/:step',
    '/launch',
    '/userinfo',
    '/logout',
    '/admin/users',
    '/admin/users/:id',
    '/assets/:name',
    '/smart-style.json',
  ])
  async forward(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const response = await this.bus.request(Rpc.authorization.web, webRequestOf(req));
    sendWebResponse(reply, response);
  }
}
