import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Rpc, WebRoutes } from '#contracts';
import { ServiceBus } from '#nest';
import { sendWebResponse, webRequestOf } from '../http/web-forwarding.js';

/** The audit trail's admin API, served by the audit service. */
@Controller()
export class AdminAuditController {
  constructor(@Inject(ServiceBus) private readonly bus: ServiceBus) {}

  @Get([WebRoutes.adminAudit.path, WebRoutes.adminAuditVerify.path, WebRoutes.adminAuditExport.path, WebRoutes.adminAuditDeadLetters.path])
  async forward(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    sendWebResponse(reply, await this.bus.request(Rpc.audit.web, webRequestOf(req)));
  }
}
