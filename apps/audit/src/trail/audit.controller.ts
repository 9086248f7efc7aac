import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { EVENT_TYPES, Rpc, type AuditPage, type AuditQuery, type DiscoveryFragment, type EventType } from '#contracts';
import { InvalidRequest } from '#oauth';
import { AuditTrailStore } from './audit-trail.store.js';

function parseQuery(payload: unknown): AuditQuery {
  const q = (payload ?? {}) as Record<string, unknown>;
  const query: AuditQuery = {};
  if (q.ids !== undefined) {
    if (!Array.isArray(q.ids) || !q.ids.every((id) => typeof id === 'string')) throw new InvalidRequest('ids must be strings');
    query.ids = q.ids as string[];
  }
  if (q.type !== undefined) {
    if (!(EVENT_TYPES as readonly unknown[]).includes(q.type)) throw new InvalidRequest('unknown event type');
    query.type = q.type as EventType;
  }
  if (q.clientId !== undefined) {
    if (typeof q.clientId !== 'string') throw new InvalidRequest('clientId must be a string');
    query.clientId = q.clientId;
  }
  for (const key of ['afterSeq', 'limit'] as const) {
    if (q[key] === undefined) continue;
    if (!Number.isInteger(q[key]) || (q[key] as number) < 0) throw new InvalidRequest(`${key} must be a non-negative integer`);
    query[key] = q[key] as number;
  }
  return query;
}

@Controller()
export class AuditController {
  constructor(private readonly store: AuditTrailStore) {}

  @MessagePattern(Rpc.audit.find.subject)
  find(@Payload() payload: unknown): Promise<AuditPage> {
    return this.store.find(parseQuery(payload));
  }

  @MessagePattern(Rpc.service.audit.metadata.subject)
  metadata(): DiscoveryFragment {
    return { service: 'audit' };
  }
}
