import { SUBJECT_PREFIX } from '#contracts';
import { ProcessLog } from './process-log.js';
import { REQUEST_ID_HEADER, RequestContext } from './request-context.js';
import { SpanKind, Tracing } from './tracing.js';

/** A subject without the installation's prefix (`token.v1.issue`): bounded, the same in every installation. */
export function localSubject(subject: string): string {
  return subject.startsWith(`${SUBJECT_PREFIX}.`) ? subject.slice(SUBJECT_PREFIX.length + 1) : subject;
}

/**
 * Headers of a request or event this process sends: the request id of the
 * work in progress (`x-request-id`) and, with tracing on, the W3C trace
 * context (`traceparent`). Undefined when there is nothing to carry, so
 * background work sends no headers at all.
 */
export function outgoingHeaders(): Record<string, string> | undefined {
  const requestId = RequestContext.requestId();
  if (requestId === undefined && !Tracing.enabled) return undefined;
  const headers: Record<string, string> = {};
  if (requestId !== undefined) headers[REQUEST_ID_HEADER] = requestId;
  Tracing.inject(headers);
  return headers;
}

/**
 * Handles a message that came with `headers`: under its request id (a bad
 * one is dropped, never trusted into logs) and, with tracing on, inside a
 * server span that continues the caller's trace.
 */
export function handleInbound<T>(subject: string, header: (key: string) => string | undefined, work: () => Promise<T>): Promise<T> {
  const requestId = RequestContext.accept(header(REQUEST_ID_HEADER));
  const log = ProcessLog.nest().pino;
  // One debug line per message handled (no payload: it may hold credentials); nothing at all above debug.
  const logged = log.isLevelEnabled('debug') ? logDuration(log, localSubject(subject), work) : work;
  return RequestContext.run(requestId, () =>
    Tracing.enabled
      ? Tracing.inbound(`nats handle ${localSubject(subject)}`, SpanKind.SERVER, header, { 'messaging.system': 'nats', 'messaging.destination.name': subject }, logged)
      : logged(),
  );
}

function logDuration<T>(log: ReturnType<typeof ProcessLog.nest>['pino'], subject: string, work: () => Promise<T>): () => Promise<T> {
  return async () => {
    const started = process.hrtime.bigint();
    try {
      return await work();
    } finally {
      log.debug({ subject, duration_ms: Number((process.hrtime.bigint() - started) / 1000n) / 1000 }, 'handled');
    }
  };
}
