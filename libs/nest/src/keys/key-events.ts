import type { Logger } from '@nestjs/common';
import { entityEventsSubject, type EventEnvelope } from '#contracts';
import type { EventBus } from '../messaging/event-bus.js';

const RETRY_EVERY_MS = 200;
const RETRY_FOR_MS = 5_000;

export interface KeyEventFollower {
  /** Reloads the ring from the jwks service. */
  reload(): Promise<void>;
  /** Whether the ring shows what the event announced (a rotation's new active key, a published or removed key). */
  shows(event: EventEnvelope): boolean;
}

/**
 * Keeps a key ring in step with the jwks service: reloads on every `key.*`
 * event, and again every 200 ms (for at most five seconds) until the ring
 * shows what the event announced, because another jwks replica may answer
 * the reload before it has heard the event itself. Reloads when the broker
 * connection is back (the events of the time without it were not
 * delivered), and every `refreshEveryMs`, so that a missed event delays a
 * change, never loses it. Returns the function that stops it.
 */
export function followKeyEvents(events: EventBus, ring: KeyEventFollower, logger: Logger, refreshEveryMs: number): () => void {
  let stopped = false;
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, run: () => void) => {
    if (stopped) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!stopped) run();
    }, ms);
    timer.unref();
    timers.add(timer);
  };
  const follow = (event: EventEnvelope, deadline: number) => {
    ring
      .reload()
      .catch((err: unknown) => logger.error(`reloading after ${event.type} failed: ${(err as Error).message}`))
      .then(() => {
        if (stopped || ring.shows(event)) return;
        if (Date.now() >= deadline) return logger.warn(`the jwks service does not show ${event.type} (event ${event.id}) yet; the periodic refresh will catch up`);
        later(RETRY_EVERY_MS, () => follow(event, deadline));
      });
  };
  const unsubscribe = events.subscribe(entityEventsSubject('key'), (event) => follow(event, Date.now() + RETRY_FOR_MS));
  const unwatch = events.onConnectionChange((change) => {
    if (change !== 'resumed' || stopped) return;
    ring.reload().catch((err: unknown) => logger.warn(`reloading after the broker connection came back failed: ${(err as Error).message}`));
  });
  const refresh = () => {
    ring
      .reload()
      .catch((err: unknown) => logger.warn(`periodic key refresh failed: ${(err as Error).message}`))
      .finally(() => later(refreshEveryMs, refresh));
  };
  if (refreshEveryMs > 0) later(refreshEveryMs, refresh);
  return () => {
    stopped = true;
    unsubscribe();
    unwatch();
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
  };
}
