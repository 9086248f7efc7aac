import { ClosedConnectionError, ConnectionError, DrainingConnectionError, NoRespondersError, RequestError, TimeoutError as NatsTimeoutError } from '@nats-io/transport-node';
import { OAuthError, ServerError, TemporarilyUnavailable } from '#oauth';

/**
 * A class of transport failure whose errors carry `name` (what logs show;
 * several follow nats.js's names), told apart by their class, never their
 * text.
 */
function failureNamed(name: string): new (message?: string) => Error {
  return class extends Error {
    override readonly name = name;
  };
}

/** No answer within the request's timeout. */
export class ReplyTimeout extends failureNamed('TimeoutError') {}

/** Nothing subscribes to the subject: the NATS server's 503 status reply, or no handler registered in process. */
export class NoResponders extends failureNamed('NoRespondersError') {}

/**
 * The replica that took the request stopped saying it works on it: it died
 * (`kill -9`, a crashed pod) or lost its connection, and the request will
 * never be answered. Whether it ran is unknown.
 */
export class ResponderLost extends failureNamed('ResponderLostError') {}

/** This process has no NATS connection now (it is reconnecting): the request was not sent. */
export class BrokerUnavailable extends failureNamed('BrokerUnavailableError') {}

/** The requester was closed (the process is stopping) while the request waited for its answer. */
export class RequesterClosed extends failureNamed('RequesterClosedError') {}

/**
 * The responder has no handler for the subject: NestJS's reply
 * `{id, status: 'error', err}` (ServerNats sends it for a pattern it does
 * not know; the text of `err` is not relied on).
 */
export class NoMatchingHandler extends failureNamed('NoMatchingHandlerError') {}

/** Failures of the transport itself (nothing answered): never a bug of the request, always worth a 503. */
const UNAVAILABLE: ReadonlyArray<abstract new (...args: never[]) => Error> = [
  NoResponders,
  BrokerUnavailable,
  RequesterClosed,
  NoMatchingHandler,
  // nats.js's own classes (@nats-io/nats-core errors.ts), thrown by a publish on a closed or draining connection.
  NoRespondersError,
  ClosedConnectionError,
  DrainingConnectionError,
  ConnectionError,
  RequestError,
  NatsTimeoutError,
];

/** What a failed request becomes for its caller, and the log line it is worth (none for an error reply). */
export interface RequestFailure {
  readonly error: OAuthError;
  readonly log?: { readonly level: 'debug' | 'warn' | 'error'; readonly message: string };
}

function textOf(err: unknown): string {
  return err instanceof Error ? err.message : typeof err === 'string' ? err : JSON.stringify(err);
}

/**
 * The OAuth error a failed request on `subject` answers with, decided by
 * the error's class, never its text: an error envelope is rebuilt into its
 * class; a lost responder, a transport that could not carry the request and
 * a missing answer are `temporarily_unavailable` (503); anything else is a
 * bug, `server_error`.
 */
export function requestFailureOf(subject: string, err: unknown): RequestFailure {
  if (OAuthError.isEnvelope(err)) return { error: OAuthError.fromEnvelope(err) };
  if (err instanceof ResponderLost) {
    return { error: new TemporarilyUnavailable('a backing service stopped answering'), log: { level: 'warn', message: `${subject}: ${err.message}` } };
  }
  if (UNAVAILABLE.some((failure) => err instanceof failure)) {
    return { error: new TemporarilyUnavailable('a backing service is not available'), log: { level: 'debug', message: `${subject} unavailable: ${textOf(err)}` } };
  }
  if (err instanceof ReplyTimeout) {
    return { error: new TemporarilyUnavailable('a backing service did not answer in time'), log: { level: 'warn', message: `no answer on ${subject} in time` } };
  }
  const message = textOf(err);
  return { error: new ServerError(message), log: { level: 'error', message: `${subject} failed: ${message}` } };
}
