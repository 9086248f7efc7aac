import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Rpc, type AuditPage, type ClientLastUsed, type DiscoveryFragment, type WebRequest, type WebResponse } from '#contracts';
import { InvalidRequest } from '#oauth';
import { AuditAdminRouter } from '../admin/audit-admin.router.js';
import { AuditTrailStore } from '../persistence/audit-trail.store.js';
import { parseAuditQuery } from './audit-query.js';

@Controller()
export class AuditController {
  constructor(
    private readonly store: AuditTrailStore,
    private readonly admin: AuditAdminRouter,
  ) {}

  /** GET /admin/audit[/verify|/export], forwarded by the gateway. */
  @MessagePattern(Rpc.audit.web.subject)
  web(@Payload() payload: unknown): Promise<WebResponse> {
    const req = payload as Partial<WebRequest> | null;
    if (typeof req?.method !== 'string' || typeof req.path !== 'string' || typeof req.query !== 'object' || req.query === null) throw new InvalidRequest('malformed web request');
    return this.admin.dispatch(req as WebRequest);
  }

  @MessagePattern(Rpc.audit.find.subject)
  find(@Payload() payload: unknown): Promise<AuditPage> {
    return this.store.find(parseAuditQuery(payload));
  }

  @MessagePattern(Rpc.audit.lastUsed.subject)
  async lastUsed(@Payload() payload: unknown): Promise<ClientLastUsed> {
    const clientIds = (payload as { clientIds?: unknown } | null)?.clientIds;
    if (!Array.isArray(clientIds) || clientIds.length > 1000 || !clientIds.every((id) => typeof id === 'string' && id.length > 0 && id.length <= 128)) {
      throw new InvalidRequest('clientIds must be an array of at most 1000 client ids');
    }
    return { last_used: await this.store.lastUsed(clientIds as string[]) };
  }

  @MessagePattern(Rpc.service.audit.metadata.subject)
  metadata(): DiscoveryFragment {
    return { service: 'audit' };
  }
}
