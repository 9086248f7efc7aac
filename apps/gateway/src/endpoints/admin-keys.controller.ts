import { Controller, Get, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Rpc, WebRoutes } from '#contracts';
import { InvalidRequest } from '#oauth';
import { parseForm } from '../http/form-body.js';
import { adminAuthorization } from '../http/admin-authorization.js';
import { ServiceForwardingController } from './service-forwarding.controller.js';

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
export class AdminKeysController extends ServiceForwardingController {
  @Get(WebRoutes.adminKeys.path)
  async list(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.forward(req, reply, 200, Rpc.jwks.listKeys, { authorization: adminAuthorization(req) });
  }

  @Post(WebRoutes.adminKeysRotate.path)
  async rotate(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const authorization = adminAuthorization(req);
    await this.forward(req, reply, 200, Rpc.jwks.rotate, { authorization, ...rotationParams(req) });
  }
}
