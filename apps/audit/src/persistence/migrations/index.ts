import type { MigrationInterface } from 'typeorm';
import { CreateAuditEvent1764050300000 } from './1764050300000-CreateAuditEvent.js';
import { ChainAuditTrail1764500000000 } from './1764500000000-ChainAuditTrail.js';
import { ClientEventsIndex1766000100000 } from './1766000100000-ClientEventsIndex.js';

/** The audit service's migrations, in order: its module runs them, and so does the migration job. */
export const AUDIT_MIGRATIONS: Array<new () => MigrationInterface> = [
  CreateAuditEvent1764050300000,
  ChainAuditTrail1764500000000,
  ClientEventsIndex1766000100000,
];
