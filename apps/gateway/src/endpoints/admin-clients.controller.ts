import { Controller, Delete, Get, Inject, Param, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Rpc } from '#contracts';
import { ServiceBus } from '#nest';
import { InvalidRequest, InvalidToken } from '#oauth';
import { bearerToken } from '../http/client-credentials.extractor.js';
import { sendJson } from '../http/json-reply.js';
import { authorizationOf, requestIdOf } from '../http/request-input.js';

/** The Authorization header of an admin call (RFC 6750 §2.1); the registration service checks the token carries the `admin` scope. */
function adminAuthorization(req: FastifyRequest): string {
  const authorization = authorizationOf(req);
  if (!bearerToken(authorization)) throw new InvalidToken('a bearer access token with the admin scope is required');
  return authorization!;
}

/** `limit` and `offset` of the listing, each at most once; nothing else. */
function pagingOf(req: FastifyRequest): { limit?: string; offset?: string } {
  const query = (req.query ?? {}) as Record<string, unknown>;
  const out: { limit?: string; offset?: string } = {};
  for (const [name, value] of Object.entries(query)) {
    if (name !== 'limit' && name !== 'offset') throw new InvalidRequest(`unknown parameter "${name.slice(0, 64)}"`);
    if (typeof value !== 'string') throw new InvalidRequest(`${name} must be given once`);
    out[name] = value;
  }
  return out;
}

/**
 * The client directory for administrators (scope `admin`), served by the
 * registration service. `POST /admin/clients/:client_id/revoke-all` belongs
 * to the authorization service and is forwarded by the WebController.
 */
@Controller()
export class AdminClientsController {
  constructor(@Inject(ServiceBus) private readonly bus: ServiceBus) {}

  @Get('/admin/clients')
  async list(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const authorization = adminAuthorization(req);
    sendJson(reply, 200, await this.bus.request(Rpc.registration.listClients, { authorization, ...pagingOf(req), requestId: requestIdOf(req) }));
  }

  @Get('/admin/clients/:clientId')
  async get(@Param('clientId') clientId: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const authorization = adminAuthorization(req);
    sendJson(reply, 200, await this.bus.request(Rpc.registration.getClient, { authorization, clientId, requestId: requestIdOf(req) }));
  }

  @Delete('/admin/clients/:clientId')
  async remove(@Param('clientId') clientId: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const authorization = adminAuthorization(req);
    await this.bus.request(Rpc.registration.deleteClient, { authorization, clientId, requestId: requestIdOf(req) });
    reply.code(204).send();
  }
}
