import { Controller, Delete, Get, Inject, Param, Post, Put, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Rpc, WebRoutes } from '#contracts';
import { ServiceBus } from '#nest';
import { InvalidToken } from '#oauth';
import { bearerToken } from '../http/client-credentials.extractor.js';
import { sendJson } from '../http/json-reply.js';
import { authorizationOf, jsonOf, requestIdOf } from '../http/request-input.js';

function registrationToken(req: FastifyRequest): string {
  const token = bearerToken(authorizationOf(req));
  if (!token) throw new InvalidToken('a registration access token is required');
  return token;
}

/** RFC 7591 registration and RFC 7592 client configuration endpoints. */
@Controller()
export class RegistrationController {
  constructor(@Inject(ServiceBus) private readonly bus: ServiceBus) {}

  @Post(WebRoutes.register.path)
  async register(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const metadata = jsonOf(req);
    const body = await this.bus.request(Rpc.registration.register, { metadata, bearer: bearerToken(authorizationOf(req)), requestId: requestIdOf(req) });
    sendJson(reply, 201, body);
  }

  @Get(WebRoutes.registeredClient.path)
  async read(@Param('clientId') clientId: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const body = await this.bus.request(Rpc.registration.read, { clientId, registrationAccessToken: registrationToken(req), requestId: requestIdOf(req) });
    sendJson(reply, 200, body);
  }

  @Put(WebRoutes.registeredClient.path)
  async update(@Param('clientId') clientId: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const registrationAccessToken = registrationToken(req);
    const metadata = jsonOf(req);
    const body = await this.bus.request(Rpc.registration.update, { clientId, registrationAccessToken, metadata, requestId: requestIdOf(req) });
    sendJson(reply, 200, body);
  }

  @Delete(WebRoutes.registeredClient.path)
  async remove(@Param('clientId') clientId: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.bus.request(Rpc.registration.delete, { clientId, registrationAccessToken: registrationToken(req), requestId: requestIdOf(req) });
    reply.code(204).send();
  }
}
