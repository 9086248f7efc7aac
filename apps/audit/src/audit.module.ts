import type { DynamicModule } from '@nestjs/common';
import { BearerTokens, healthControllerFor, RuntimeModule, serviceTables, type SuiteRuntime } from '#nest';
import { AuditAdminRouter } from './admin/audit-admin.router.js';
import { AuditConfig } from './config/audit.config.js';
import { AuditEventEntity } from './persistence/entities/audit-event.entity.js';
import { AuditConsumerService } from './trail/audit-consumer.service.js';
import { AuditTrailStore } from './persistence/audit-trail.store.js';
import { AuditController } from './trail/audit.controller.js';
import { AUDIT_MIGRATIONS } from './persistence/migrations/index.js';

export function auditModule(config: AuditConfig, runtime: SuiteRuntime): DynamicModule {
  return {
    module: class AuditModule {},
    imports: [RuntimeModule.forService('audit', runtime, config.RPC_TIMEOUT_MS), ...serviceTables('audit', config, [AuditEventEntity], AUDIT_MIGRATIONS)],
    controllers: [AuditController, healthControllerFor('audit')],
    providers: [{ provide: AuditConfig, useValue: config }, AuditTrailStore, AuditConsumerService, BearerTokens, AuditAdminRouter],
  };
}
