import type { DeadLetterKind } from '#contracts';

/** What to do with one event whose handling failed (issue #14). */
export type FailureDecision =
  /** The infrastructure failed: everything not yet handled is delivered again later; no attempt counts. */
  | { action: 'retry_all'; delayMs: number }
  /** This event failed: delivered again after a pause that grows with its deliveries. */
  | { action: 'retry'; delayMs: number }
  /** This event failed its last attempt: set aside with the reason. */
  | { action: 'dead_letter'; kind: DeadLetterKind };

/** Pause before the next delivery of an event that failed: 0.5 s, 1 s, 2 s, … at most 30 s (MAX_DELIVER = 5: set aside after about 7.5 s). */
export function redeliveryDelayMs(deliveries: number): number {
  return Math.min(30_000, 500 * 2 ** Math.max(0, deliveries - 1));
}

/**
 * The rule of a durable consumer for a failed event: an infrastructure
 * failure retries without counting (an outage must not turn events into dead
 * letters); otherwise the event is delivered again until its `maxDeliver`-th
 * delivery, which is its last.
 */
export function afterFailure(deliveries: number, maxDeliver: number, transient: boolean): FailureDecision {
  if (transient) return { action: 'retry_all', delayMs: 1000 };
  if (deliveries >= maxDeliver) return { action: 'dead_letter', kind: 'max_deliver' };
  return { action: 'retry', delayMs: redeliveryDelayMs(deliveries) };
}

/** A header value for the reason: one line of printable text (NATS headers are line-based), at most 512 characters. */
export function headerText(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what this replaces
  const line = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return line.length > 512 ? `${line.slice(0, 509)}...` : line || '-';
}
