import { subject } from './namespace.js';
import type { TokenEndpointAuthMethod } from './client-record.js';

/**
 * Envelope of every durable event (published to JetStream under
 * `<prefix>.events.v1.<type>`, with `Nats-Msg-Id` = `id`). Documented for
 * outside consumers in docs/events.md.
 */
export interface EventEnvelope<T extends EventType = EventType> {
  /** Unique id (UUID v4); consumers de-duplicate on it. */
  id: string;
  type: T;
  /** Schema version of `data`. */
  version: 1;
  /** RFC 3339 timestamp of the fact. */
  occurred_at: string;
  /** The service that recorded the fact. */
  source: string;
  /** Correlates with the HTTP request that caused the fact, when there was one. */
  request_id?: string;
  data: EventData[T];
}

export interface ClientEventData {
  client_id: string;
  client_name?: string;
  token_endpoint_auth_method: TokenEndpointAuthMethod;
  grant_types: string[];
  scope: string;
  revision: number;
}

export interface TokenIssuedData {
  jti: string;
  client_id: string;
  sub: string;
  grant_type: string;
  scope: string;
  aud: string;
  iat: number;
  exp: number;
  kid: string;
}

export interface TokenRevokedData {
  jti: string;
  client_id: string;
  token_type: 'access_token' | 'refresh_token';
  /** Expiry of the revoked token (seconds since epoch): the revocation need not be kept after it. */
  exp: number;
  reason: 'client_request' | 'client_deleted' | 'admin';
}

export interface KeyEventData {
  kid: string;
  alg: string;
  state: 'next' | 'active' | 'retired';
}

/** The event catalogue: `<entity>.<verb>` → payload. */
export interface EventData {
  'client.registered': ClientEventData;
  'client.updated': ClientEventData;
  'client.deleted': ClientEventData;
  'token.issued': TokenIssuedData;
  'token.revoked': TokenRevokedData;
  'key.activated': KeyEventData;
}

export type EventType = keyof EventData;

export const EVENT_TYPES: readonly EventType[] = [
  'client.registered',
  'client.updated',
  'client.deleted',
  'token.issued',
  'token.revoked',
  'key.activated',
];

/** Subject of one event type, e.g. `smart.events.v1.token.issued`. */
export function eventSubject(type: EventType): string {
  return subject(`events.v1.${type}`);
}

/** Wildcard covering every event of the installation (the stream's subjects). */
export const ALL_EVENTS_SUBJECT = subject('events.v1.>');

/** Wildcard covering one entity's events, e.g. `client.*`. */
export function entityEventsSubject(entity: 'client' | 'token' | 'key'): string {
  return subject(`events.v1.${entity}.*`);
}
