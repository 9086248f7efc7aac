import { Controller, Delete, Get, Param, Post, Put, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Rpc, WebRoutes, type AdminClientRequest, type RpcRoute } from '#contracts';
import { InvalidRequest } from '#oauth';
import { jsonOf } from '../http/request-input.js';
import { adminAuthorization } from '../http/admin-authorization.js';
import { ServiceForwardingController } from './service-forwarding.controller.js';

/** The listing's query parameters: paging, search and filters, each at most once; nothing else. */
const LIST_PARAMETERS = ['limit', 'offset', 'status', 'q', 'trust', 'grant_type', 'has_launch_uri'] as const;
type ListParameters = Partial<Record<(typeof LIST_PARAMETERS)[number], string>>;

function listParametersOf(req: FastifyRequest): ListParameters {
  const query = (req.query ?? {}) as Record<string, unknown>;
  const out: ListParameters = {};
  for (const [name, value] of Object.entries(query)) {
    const known = LIST_PARAMETERS.find((p) => p === name);
    if (!known) throw new InvalidRequest(`unknown parameter "${name.slice(0, 64)}"`);
    if (typeof value !== 'string') throw new InvalidRequest(`${name} must be given once`);
    out[known] = value;
  }
  return out;
}

/** Whether the request came with a body at all. */
function hasBody(req: FastifyRequest): boolean {
  const length = Number(req.headers['content-length'] ?? 0);
  return !((req.body === undefined || req.body === '' || req.body === null) && !(length > 0));
}

/**
 * The body of an approval or a refusal: none (every pending privilege), or a
 * JSON object whose `privileges` names some, as a space-separated string or an
 * array of scope tokens and grant types.
 */
function privilegesOf(req: FastifyRequest): { privileges?: string } {
  if (!hasBody(req)) return {};
  const body = jsonOf(req);
  for (const name of Object.keys(body)) if (name !== 'privileges') throw new InvalidRequest(`unknown member "${name.slice(0, 64)}"`);
  const value = body.privileges;
  if (value === undefined) return {};
  if (typeof value === 'string') return { privileges: value };
  if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string' && !v.includes(' '))) return { privileges: value.join(' ') };
  throw new InvalidRequest('privileges must be a space-separated string or an array of scope tokens and grant types');
}

/** POST /admin/clients: RFC 7591 metadata, plus `public_key` (PEM or JWK text, stored as `jwks`). */
function registrationOf(req: FastifyRequest): { metadata: Record<string, unknown>; publicKey?: string } {
  const { public_key: publicKey, ...metadata } = jsonOf(req);
  if (publicKey === undefined) return { metadata };
  if (typeof publicKey !== 'string') throw new InvalidRequest('public_key must be PEM or JWK text');
  return { metadata, publicKey };
}

/** A body-less admin action (disable, enable, rotate-secret): a body, if any, must be an empty JSON object. */
function noBody(req: FastifyRequest): void {
  if (hasBody(req) && Object.keys(jsonOf(req)).length > 0) throw new InvalidRequest('this action takes no parameters');
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
    await this.forward(req, reply, 200, Rpc.registration.listClients, { authorization, ...listParametersOf(req) });
  }

  /** An administrator registers a client: POST /register's validation, the privileges vouched for by the administrator. */
  @Post(WebRoutes.adminClients.path)
  async create(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const authorization = adminAuthorization(req);
    await this.forward(req, reply, 201, Rpc.registration.createClient, { authorization, ...registrationOf(req) });
  }

  @Get(WebRoutes.adminClient.path)
  async get(@Param('clientId') clientId: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const authorization = adminAuthorization(req);
    await this.forward(req, reply, 200, Rpc.registration.getClient, { authorization, clientId });
  }

  /** RFC 7592 §2.2 semantics without the registration access token. */
  @Put(WebRoutes.adminClient.path)
  async update(@Param('clientId') clientId: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const authorization = adminAuthorization(req);
    await this.forward(req, reply, 200, Rpc.registration.updateClient, { authorization, clientId, metadata: jsonOf(req) });
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

  @Post(WebRoutes.adminClientDisable.path)
  disable(@Param('clientId') clientId: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.bodilessAction(Rpc.registration.disableClient, clientId, req, reply);
  }

  @Post(WebRoutes.adminClientEnable.path)
  enable(@Param('clientId') clientId: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.bodilessAction(Rpc.registration.enableClient, clientId, req, reply);
  }

  /** The new secret is in this answer only. */
  @Post(WebRoutes.adminClientRotateSecret.path)
  rotateSecret(@Param('clientId') clientId: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.bodilessAction(Rpc.registration.rotateSecret, clientId, req, reply);
  }

  @Delete(WebRoutes.adminClient.path)
  async remove(@Param('clientId') clientId: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const authorization = adminAuthorization(req);
    await this.ask(req, Rpc.registration.deleteClient, { authorization, clientId });
    reply.code(204).send();
  }

  /** An action on one client that takes no body (disable, enable, rotate-secret): the administrator's authorization and the client id, forwarded. */
  private async bodilessAction(route: RpcRoute<AdminClientRequest, unknown>, clientId: string, req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const authorization = adminAuthorization(req);
    noBody(req);
    await this.forward(req, reply, 200, route, { authorization, clientId });
  }
}
