import type { EventEnvelope, EventType } from './events.js';

export interface AuditQuery {
  /** Only these event ids. */
  ids?: string[];
  type?: EventType;
  clientId?: string;
  /** The person: `user_id` of grant/login/consent events, `sub` of token events. */
  userId?: string;
  patient?: string;
  /** RFC 3339 bounds on `occurred_at` (from inclusive, to exclusive). */
  from?: string;
  to?: string;
  /** Events stored after this sequence number (paging cursor). */
  afterSeq?: number;
  /** At most 1000; default 100. */
  limit?: number;
  /** Newest first (no paging cursor then). */
  newest?: boolean;
}

/** `audit.v1.clients.last-used`: RFC 3339 time of each client's latest `token.issued` (clients without one are absent). */
export interface ClientLastUsed {
  last_used: Record<string, string>;
}

export interface StoredAuditEvent {
  seq: number;
  event: EventEnvelope;
  received_at: string;
}

export interface AuditPage {
  events: StoredAuditEvent[];
  /** Pass as `afterSeq` for the next page; absent at the end. */
  nextAfterSeq?: number;
}
