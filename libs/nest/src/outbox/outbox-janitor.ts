import type { FactoryProvider } from '@nestjs/common';
import type { HousekeepingConfig } from '../housekeeping/housekeeping.config.js';
import { janitorProvider } from '../housekeeping/janitor.provider.js';
import type { Janitor } from '../housekeeping/janitor.js';
import { Outbox } from './outbox.js';

/**
 * The janitor of a service whose only rows that expire are its outbox's
 * published ones (registration, jwks): one replica at a time, in batches,
 * under the service's own advisory lock `lockKey`.
 */
export function outboxJanitorProvider(service: string, lockKey: number, config: HousekeepingConfig): FactoryProvider<Janitor> {
  return janitorProvider({ service, lockKey, config, inject: [Outbox], tasks: (outbox) => [outbox.expiredRows()] });
}
