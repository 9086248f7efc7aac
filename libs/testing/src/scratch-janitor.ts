import { Janitor, pgJanitorConnector, type ExpiringRows, type JanitorConnector, type JanitorSettings } from '#nest';

/** Key of the advisory lock of the janitors specs make ("test" in ASCII). */
export const TEST_JANITOR_LOCK = 0x74657374;

/**
 * A janitor over `tasks` for specs: on the database at `url` (or through `connect`), no pause between
 * batches, a round budget of a minute, batches of 5,000 unless `settings` say otherwise; rounds only when asked.
 */
export function scratchJanitor(
  target: string | JanitorConnector,
  tasks: readonly ExpiringRows[],
  settings: Partial<JanitorSettings> = {},
  service = 'test',
): Janitor {
  const connect = typeof target === 'string' ? pgJanitorConnector(target) : target;
  return new Janitor({ service, lockKey: TEST_JANITOR_LOCK, tasks, connect, settings: { intervalMs: 60_000, batchSize: 5000, roundBudgetMs: 60_000, pauseMs: 0, ...settings } });
}
