import { DatabaseConfig } from '../config/common.config.js';
import { IntegerSetting } from '../config/settings.js';
import { pgJanitorConnector, type JanitorConnector } from './janitor-connection.js';
import type { JanitorSettings } from './janitor.js';

/** The settings of a service whose tables a janitor keeps (issue #20). */
export class HousekeepingConfig extends DatabaseConfig {
  /** How often a janitor round starts, in seconds (one replica runs it; the others skip). */
  @IntegerSetting(1, 86_400)
  HOUSEKEEPING_INTERVAL_SECONDS = 60;

  /** Rows one DELETE removes at most (each batch its own short transaction). */
  @IntegerSetting(1, 100_000)
  HOUSEKEEPING_BATCH_SIZE = 5000;

  /** How long a round may go on deleting, in milliseconds; what is left waits for the next round. */
  @IntegerSetting(100, 600_000)
  HOUSEKEEPING_ROUND_BUDGET_MS = 10_000;
}

/** The janitor's settings from the service's configuration. */
export function janitorSettings(config: HousekeepingConfig): JanitorSettings {
  return { intervalMs: config.HOUSEKEEPING_INTERVAL_SECONDS * 1000, batchSize: config.HOUSEKEEPING_BATCH_SIZE, roundBudgetMs: config.HOUSEKEEPING_ROUND_BUDGET_MS };
}

/** The janitor's connections, to the service's database with its timeouts. */
export function janitorConnector(config: HousekeepingConfig): JanitorConnector {
  return pgJanitorConnector(config.DATABASE_URL!, { connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS, statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS });
}
