import { Controller, Delete, Get, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Rpc, WebRoutes } from '#contracts';
import { InvalidRequest } from '#oauth';
import { jsonOf } from '../http/request-input.js';
import { adminAuthorization } from '../http/admin-authorization.js';
import { ServiceForwardingController } from './service-forwarding.controller.js';

/** `limit`, `offset` and `status` of the listing, each at most once; nothing else. */
function pagingOf(req: FastifyRequest): { limit?: string; offset?: string; status?: string } {
  const query = (req.query ?? {}) as Record<string, unknown>;
  const out: { limit?: string; offset?: string; status?: string } = {};
  for (const [name, value] of Object.entries(query)) {
    if (name !== 'limit' && name !== 'offset' && name !== 'status') throw new InvalidRequest(`unknown parameter "${name.slice(0, 64)}"`);
    if (typeof value !== 'string') throw new InvalidRequest(`${name} must be given once`);
    out[name] = value;
  }
  return out;
}

/**
 * The body of an approval or a refusal: none (every pending privilege), or a
 * JSON object whose `privileges` names some, as a space-separated string or an
 * array of scope tokens and grant types.
 */
function privilegesOf(req: FastifyRequest): { privileges?: string } {
  const length = Number(req.headers['content-length'] ?? 0);
  if ((req.body === undefined || req.body === '' || req.body === null) && !(length > 0)) return {};
  const body = jsonOf(req);
  for (const name of Object.keys(body)) if (name !== 'privileges') throw new InvalidRequest(`unknown member "${name.slice(0, 64)}"`);
  const value = body.privileges;
  if (value === undefined) return {};
  if (typeof value === 'string') return { privileges: value };
  if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string' && !v.includes(' '))) return { privileges: value.join(' ') };
  throw new InvalidRequest('privileges must be a space-separated string or an array of scope tokens and grant types');
}

/**
 * The client directory for administrators (scope `admin`), served by the
 * registration service. `POST /admin/clients/:client_id/revoke-all` belongs
 * to the authorization service and is forwarded by the WebController.
 */
@Controller()
export class AdminClientsController extends ServiceForwardingController {
  @Get(WebRoutes.adminClients.path)
  async list(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const authorization = adminAuthorization(req);
    await this.forward(req, reply, 200, Rpc.registration.listClients, { authorization, ...pagingOf(req) });
  }

  @Get(WebRoutes.adminClient.path)
  async get(@Param('clientId') clientId: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const authorization = adminAuthorization(req);
    await this.forward(req, reply, 200, Rpc.registration.getClient, { authorization, clientId });
  }

  /** Trust tiers: an administrator approves privileges a client registered (all pending ones, or those named). */
  @Post(WebRoutes.adminClientApprove.path)
  async approve(@Param('clientId') clientId: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const authorization = adminAuthorization(req);
    await this.forward(req, reply, 200, Rpc.registration.approveClient, { authorization, clientId, ...privilegesOf(req) });
  }

  /** Trust tiers: an administrator refuses privileges a client registered (all pending ones, or those named). */
  @Post(WebRoutes.adminClientReject.path)
  async reject(@Param('clientId') clientId: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const authorization = adminAuthorization(req);
    await this.forward(req, reply, 200, Rpc.registration.rejectClient, { authorization, clientId, ...privilegesOf(req) });
  }

  @Delete(WebRoutes.adminClient.path)
  async remove(@Param('clientId') clientId: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const authorization = adminAuthorization(req);
    await this.ask(req, Rpc.registration.deleteClient, { authorization, clientId });
    reply.code(204).send();
  }
}
