import { Logger } from '@nestjs/common';
import { CommonConfig } from '../config/common.config.js';
import { loadConfig } from '../config/load-config.js';
import { ManagementServer } from './management.server.js';
import { prettyDestination, ProcessLog } from './process-log.js';
import { Tracing } from './tracing.js';

export interface Observability {
  /** The management server's port (health and metrics), unless it could not be opened. */
  readonly managementPort: number | undefined;
  close(): Promise<void>;
}

/**
 * What a process sets up before its services start: the JSON logger (NestJS's
 * `Logger` included), tracing when the `OTEL_*` variables ask for it, and the
 * management port. `process` names the process: a service, or `suite` for the
 * embedded all-in-one process.
 */
export async function startObservability(processName: string, env: NodeJS.ProcessEnv, options: { managementRequired?: boolean } = {}): Promise<Observability> {
  const config = loadConfig(CommonConfig, env);
  const destination = config.LOG_FORMAT === 'pretty' ? await prettyDestination() : undefined;
  const logger = ProcessLog.install(processName, { level: config.LOG_LEVEL, format: config.LOG_FORMAT, destination });
  Logger.overrideLogger(logger);
  const tracing = await Tracing.start(processName, env);
  const log = new Logger('Observability');
  let management: ManagementServer | undefined;
  try {
    management = await ManagementServer.listen(config.MANAGEMENT_PORT, config.MANAGEMENT_HOST);
  } catch (err: unknown) {
    // A deployed service must have its probes; a laptop's all-in-one process may run without.
    if (options.managementRequired !== false) throw new Error(`MANAGEMENT_PORT ${config.MANAGEMENT_PORT}: ${(err as Error).message}`);
    log.warn(`no management port: ${config.MANAGEMENT_PORT} on ${config.MANAGEMENT_HOST}: ${(err as Error).message} (set MANAGEMENT_PORT)`);
  }
  log.log(`management port ${management?.port ?? 'none'} (health, metrics); tracing ${tracing ? 'on' : 'off'}`);
  return {
    managementPort: management?.port,
    async close() {
      await management?.close().catch(() => undefined);
      await Tracing.stop();
      ProcessLog.flush();
    },
  };
}
