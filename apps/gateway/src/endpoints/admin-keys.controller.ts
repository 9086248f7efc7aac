import { Controller, Get, Inject, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Rpc, WebRoutes } from '#contracts';
import { ServiceBus } from '#nest';
import { InvalidRequest, InvalidToken } from '#oauth';
import { bearerToken } from '../http/client-credentials.extractor.js';
import { parseForm } from '../http/form-body.js';
import { sendJson } from '../http/json-reply.js';
import { authorizationOf, requestIdOf } from '../http/request-input.js';

/** The Authorization header of an admin call (RFC 6750 §2.1); the jwks service checks the token carries the `admin` scope. */
function adminAuthorization(req: FastifyRequest): string {
  const authorization = authorizationOf(req);
  if (!bearerToken(authorization)) throw new InvalidToken('a bearer access token with the admin scope is required');
  return authorization!;
}

/** The optional `alg` of a rotation: no body, a JSON object or a form; nothing else. */
function rotationParams(req: FastifyRequest): { alg?: string } {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const body = req.body;
  let params: Record<string, unknown>;
  if (body === undefined || body === null || body === '') params = {};
  else if (type === 'application/json') {
    if (typeof body !== 'object' || Array.isArray(body)) throw new InvalidRequest('the body must be a JSON object');
    params = body as Record<string, unknown>;
  } else if (type === 'application/x-www-form-urlencoded') params = parseForm(String(body));
  else throw new InvalidRequest('the body must be application/json or application/x-www-form-urlencoded');
  for (const name of Object.keys(params)) if (name !== 'alg') throw new InvalidRequest(`unknown parameter "${name.slice(0, 64)}"`);
  if (params.alg !== undefined && typeof params.alg !== 'string') throw new InvalidRequest('alg must be a string');
  return params.alg === undefined ? {} : { alg: params.alg as string };
}

/** Signing-key administration (issue #5): the ring's keys, and rotation on demand. */
@Controller()
export class AdminKeysController {
  constructor(@Inject(ServiceBus) private readonly bus: ServiceBus) {}

  @Get(WebRoutes.adminKeys.path)
  async list(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    sendJson(reply, 200, await this.bus.request(Rpc.jwks.listKeys, { authorization: adminAuthorization(req), requestId: requestIdOf(req) }));
  }

  @Post(WebRoutes.adminKeysRotate.path)
  async rotate(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const authorization = adminAuthorization(req);
    const body = await this.bus.request(Rpc.jwks.rotate, { authorization, ...rotationParams(req), requestId: requestIdOf(req) });
    sendJson(reply, 200, body);
  }
}
