import { subject } from './namespace.js';

/**
 * Dead letters (issue #14): an event a durable consumer could not process
 * after its last attempt is set aside on its own subject, with the reason
 * (docs/events.md "Dead letters").
 */

/** Subject of the dead letters of one durable consumer, e.g. `smart.dead.v1.audit`. */
export function deadLetterSubject(consumer: string): string {
  return subject(`dead.v1.${consumer.replace(/[^A-Za-z0-9_-]/g, '_')}`);
}

/** Wildcard covering every dead letter of the installation (the dead-letter stream's subjects). */
export const ALL_DEAD_LETTERS_SUBJECT = subject('dead.v1.>');

/** Why an event became a dead letter: not JSON, not a valid envelope (both at once), or still failing after the last attempt. */
export type DeadLetterKind = 'not_json' | 'invalid_envelope' | 'max_deliver';

/** A dead letter as the admin API lists it (`GET /admin/audit/dead-letters`). */
export interface DeadLetter {
  /** Sequence in the dead-letter stream: the paging key. */
  seq: number;
  consumer: string;
  kind: DeadLetterKind;
  reason: string;
  /** Where the event was: its subject, stream and sequence there, and how often it was delivered. */
  subject: string;
  stream: string;
  stream_sequence: number;
  deliveries: number;
  /** RFC 3339: when it was set aside. */
  dead_at: string;
  /** The event's `Nats-Msg-Id` (its id), when it had one. */
  event_id?: string;
  /** The original payload as UTF-8 text, cut at 4096 characters (`payload_truncated`). */
  payload: string;
  payload_truncated?: true;
}
