import { Inject } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RpcRoute } from '#contracts';
import { ServiceBus } from '#nest';
import { sendJson } from '../http/json-reply.js';
import { requestIdOf } from '../http/request-input.js';

/**
 * What the gateway's JSON endpoints share: each checks its HTTP input, then
 * asks the service that owns the route over NATS, carrying the request id,
 * and answers with what the service returned.
 */
export abstract class ServiceForwardingController {
  constructor(@Inject(ServiceBus) protected readonly bus: ServiceBus) {}

  /** Asks the service that owns `route`, with this request's id. */
  protected ask<Req extends { requestId?: string }, Res>(req: FastifyRequest, route: RpcRoute<Req, Res>, payload: Omit<Req, 'requestId'>): Promise<Res> {
    return this.bus.request(route, { ...payload, requestId: requestIdOf(req) } as Req);
  }

  /** Asks the service that owns `route` and answers its JSON with `status`. */
  protected async forward<Req extends { requestId?: string }, Res>(req: FastifyRequest, reply: FastifyReply, status: number, route: RpcRoute<Req, Res>, payload: Omit<Req, 'requestId'>): Promise<void> {
    sendJson(reply, status, await this.ask(req, route, payload));
  }
}
