import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { runSuite } from './src/run-suite.js';

const logger = new Logger('suite');
try {
  const suite = await runSuite(process.env);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal} received, shutting down`);
    await suite.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
} catch (err: unknown) {
  logger.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
}
