import type { Logger } from '@nestjs/common';

/** Retries `attempt` every 500 ms until it succeeds or `waitMs` has passed (a dependency still starting). */
export async function waitFor(attempt: () => Promise<void>, what: string, logger: Logger, waitMs: number): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      return await attempt();
    } catch (err: unknown) {
      if (Date.now() > deadline) throw new Error(`${what} unavailable: ${(err as Error).message}`);
      logger.warn(`waiting for ${what}: ${(err as Error).message}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}
