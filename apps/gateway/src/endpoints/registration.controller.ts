import { Controller, Delete, Get, Param, Post, Put, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Rpc, WebRoutes } from '#contracts';
import { InvalidToken } from '#oauth';
import { bearerToken } from '../http/client-credentials.extractor.js';
import { authorizationOf, jsonOf } from '../http/request-input.js';
import { sendJson } from '../http/json-reply.js';
import { ServiceForwardingController } from './service-forwarding.controller.js';

function registrationToken(req: FastifyRequest): string {
  const token = bearerToken(authorizationOf(req));
  if (!token) throw new InvalidToken('a registration access token is required');
  return token;
}

/** A UDAP registration request (UDAP Dynamic Client Registration §3) says `udap`; the registration service checks its value. */
function isUdapRequest(body: unknown): boolean {
  return typeof body === 'object' && body !== null && !Array.isArray(body) && Object.hasOwn(body, 'udap');
}

/** RFC 7591 registration (and UDAP trusted registration) and RFC 7592 client configuration endpoints. */
@Controller()
export class RegistrationController extends ServiceForwardingController {
  @Post(WebRoutes.register.path)
  async register(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const metadata = jsonOf(req);
    if (isUdapRequest(metadata)) {
      // UDAP Security 2.0 §3.2.3 and §3.4: 201 for a new registration, 200 for a modification or cancellation.
      const answer = await this.ask(req, Rpc.registration.udapRegister, { body: metadata });
      return sendJson(reply, answer.status, answer.body);
    }
    await this.forward(req, reply, 201, Rpc.registration.register, { metadata, bearer: bearerToken(authorizationOf(req)) });
  }

  @Get(WebRoutes.registeredClient.path)
  async read(@Param('clientId') clientId: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.forward(req, reply, 200, Rpc.registration.read, { clientId, registrationAccessToken: registrationToken(req) });
  }

  @Put(WebRoutes.registeredClient.path)
  async update(@Param('clientId') clientId: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const registrationAccessToken = registrationToken(req);
    const metadata = jsonOf(req);
    await this.forward(req, reply, 200, Rpc.registration.update, { clientId, registrationAccessToken, metadata });
  }

  @Delete(WebRoutes.registeredClient.path)
  async remove(@Param('clientId') clientId: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.ask(req, Rpc.registration.delete, { clientId, registrationAccessToken: registrationToken(req) });
    reply.code(204).send();
  }
}
