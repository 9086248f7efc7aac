import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Rpc, type AuditPage, type DiscoveryFragment } from '#contracts';
import { AuditTrailStore } from '../persistence/audit-trail.store.js';
import { parseAuditQuery } from './audit-query.js';

@Controller()
export class AuditController {
  constructor(private readonly store: AuditTrailStore) {}

  @MessagePattern(Rpc.audit.find.subject)
  find(@Payload() payload: unknown): Promise<AuditPage> {
    return this.store.find(parseAuditQuery(payload));
  }

  @MessagePattern(Rpc.service.audit.metadata.subject)
  metadata(): DiscoveryFragment {
    return { service: 'audit' };
  }
}
