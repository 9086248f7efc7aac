import { Matches } from 'class-validator';
import { DatabaseConfig } from '#nest';

export class AuditConfig extends DatabaseConfig {
  /** Name of the durable JetStream consumer the audit service reads with. */
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: 'must be 1-64 letters, digits, - or _' })
  AUDIT_CONSUMER = 'audit';
}
