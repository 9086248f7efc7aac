import { Logger } from '@nestjs/common';
import { ShutdownConfig } from '../config/common.config.js';
import { ConfigurationError, loadConfig } from '../config/load-config.js';
import { NatsRuntime } from '../messaging/suite-runtime.js';
import type { SuiteRuntime } from '../messaging/suite-runtime.js';
import { ProcessLog } from '../observability/process-log.js';
import { startObservability, type Observability } from '../observability/start-observability.js';

export interface Closable {
  close(): Promise<void>;
}

/** Starts one service of the suite (however many may run in a process). */
export type ServiceStarter = (runtime: SuiteRuntime, env: NodeJS.ProcessEnv) => Promise<Closable>;

/**
 * Entry point of `node dist/apps/<service>/main.js`: the way Kubernetes runs
 * a service. NATS_URL is required here; the embedded development mode is
 * `npm start` (apps/suite), which runs every service in one process.
 */
export async function runStandalone(service: string, start: ServiceStarter, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const logger = new Logger(service);
  const fail = (err: unknown): never => {
    if (err instanceof ConfigurationError) logger.error(err.message);
    else logger.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    ProcessLog.flush();
    process.exit(1);
  };
  let observability: Observability | undefined;
  try {
    observability = await startObservability(service, env);
  } catch (err: unknown) {
    fail(err);
  }
  if (!env.NATS_URL) fail(new ConfigurationError(['NATS_URL: required to run a single service (use `npm start` for the embedded all-in-one mode)']));
  let runtime: SuiteRuntime | undefined;
  let app: Closable | undefined;
  let shutdown = new ShutdownConfig();
  try {
    shutdown = loadConfig(ShutdownConfig, env);
    runtime = await NatsRuntime.connect(env.NATS_URL!, `${service}-${process.pid}`);
    app = await start(runtime, env);
  } catch (err: unknown) {
    await runtime?.close().catch(() => undefined);
    await observability?.close();
    fail(err);
  }
  let stopping = false;
  /**
   * Graceful stop, in order: the service stops taking work and finishes what
   * it took (the gateway turns unready, waits SHUTDOWN_DELAY_MS, closes its
   * listener and lets in-flight requests end; a NATS service drains its
   * subscriptions and answers what it had received), its lifecycle hooks stop
   * relays, consumers and timers and close the database pool, then the NATS
   * connection is drained (pending publishes flushed) and closed. Signals are
   * handled here rather than by Nest's enableShutdownHooks so that this order
   * holds and the whole stop is bounded by SHUTDOWN_TIMEOUT_MS.
   */
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal} received, shutting down (at most ${shutdown.SHUTDOWN_TIMEOUT_MS} ms)`);
    setTimeout(() => {
      logger.error(`graceful shutdown took longer than ${shutdown.SHUTDOWN_TIMEOUT_MS} ms; exiting anyway`);
      ProcessLog.flush();
      process.exit(1);
    }, shutdown.SHUTDOWN_TIMEOUT_MS).unref();
    await app?.close().catch((e: unknown) => logger.error(`shutdown: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`));
    await runtime?.close().catch((e: unknown) => logger.error(`shutdown: NATS drain failed: ${String(e)}`));
    await observability?.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}
