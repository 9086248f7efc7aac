import type { WritePacket } from '@nestjs/microservices';
import { OAuthError } from '#oauth';
import { NoMatchingHandler } from './transport-errors.js';

/**
 * NestJS's NATS wire format, the one place it is written: a request is
 * `{pattern, data, id}` (an event has no `id`), its answer
 * `{response | err, isDisposed, id}`. Replicas of an older version and
 * NestJS's own ClientNats and ServerNats speak it too, so it must not change
 * within a rolling upgrade.
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A request (with `id`) or an event (without), as NestJS's deserializer hands it to a handler. */
export interface RequestPacket {
  pattern: unknown;
  data: unknown;
  id?: unknown;
}

/** A request of `data` on `subject` under the caller's packet `id`. */
export function encodeRequest(subject: string, data: unknown, id: string): Uint8Array {
  return encoder.encode(JSON.stringify({ pattern: subject, data, id }));
}

/**
 * What arrived on `channel`, as NestJS's NatsRequestJSONDeserializer reads
 * it: JSON with a `pattern` or a `data` is a packet; any other JSON value is
 * someone else's message, handed over whole as the data of an event. Throws
 * on what is not JSON.
 */
export function decodeRequest(bytes: Uint8Array, channel: string): RequestPacket {
  const value = JSON.parse(decoder.decode(bytes)) as Partial<RequestPacket> | null;
  const ours = typeof value === 'object' && value !== null && (value.pattern !== undefined || value.data !== undefined);
  return ours ? (value as RequestPacket) : { pattern: channel, data: value };
}

/**
 * The one reply to a handler that answered a value: `{response, isDisposed: true, id}`,
 * byte for byte what NestJS's ServerNats sends for it.
 */
export function encodeAnswer(response: unknown, id: unknown): Uint8Array {
  return encoder.encode(JSON.stringify({ response, isDisposed: true, id }));
}

/** Any reply packet under `id` (NestJS adds the id last, so keys keep its order). */
export function encodeReply(packet: WritePacket, id: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(Object.assign(packet, { id })));
}

/**
 * The answer a reply carries. A reply with `err` throws it: the error
 * envelope of a refused request as it came, NestJS's no-handler reply
 * (`status: 'error'`) as NoMatchingHandler, anything else as it came.
 */
export function answerOf(bytes: Uint8Array, subject: string): unknown {
  if (bytes.length === 0) throw new Error(`empty response on ${subject}`);
  const reply = JSON.parse(decoder.decode(bytes)) as WritePacket;
  if (reply.err === undefined || reply.err === null) return reply.response;
  if (!OAuthError.isEnvelope(reply.err) && reply.status === 'error') throw new NoMatchingHandler(`no handler for ${subject} on the replica that took it`);
  throw reply.err;
}
