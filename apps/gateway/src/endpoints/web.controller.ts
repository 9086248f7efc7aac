import { All, Controller, Inject, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { FORWARDED_WEB_PATHS, Rpc } from '#contracts';
import { ServiceBus } from '#nest';
import { OAuthError } from '#oauth';
import { pathOf } from '../http/edge-policy.js';
import { sendErrorPage, wantsPage } from '../http/error-page.js';
import { sendWebResponse, webRequestOf } from '../http/web-forwarding.js';

/**
 * The browser-facing surface served by the authorization service (the routes
 * `WebRoutes` marks `forwarded`): the authorization endpoint and its pages,
 * the upstream identity provider's redirect URI, EHR launch contexts,
 * userinfo, logout, the user and grant admin APIs, a person's own grants
 * (/account) and the pages' assets. Forwarded as they came, whatever the
 * method; the authorization service answers with the whole HTTP response.
 */
@Controller()
export class WebController {
  constructor(@Inject(ServiceBus) private readonly bus: ServiceBus) {}

  @All(FORWARDED_WEB_PATHS)
  async forward(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const request = webRequestOf(req);
    try {
      sendWebResponse(reply, await this.bus.request(Rpc.authorization.web, request));
    } catch (err: unknown) {
      // The authorization service renders every page; when it cannot be reached, a browser still gets a page.
      if (err instanceof OAuthError && err.status === 503 && wantsPage(req, pathOf(req.url))) return sendErrorPage(reply, err);
      throw err;
    }
  }
}
