import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ProcessLog, RequestContext, SpanKind, metricsExposing, Tracing } from '#nest';
import { pathOf } from './edge-policy.js';

type TracedRequest = NonNullable<ReturnType<typeof Tracing.startSpan>>;

/** Route label of a request nothing matched: one value, whatever path was asked for. */
const UNMATCHED = 'unmatched';

/**
 * Observes every HTTP request at the edge: the request id (taken from
 * `X-Request-Id` when acceptable, else made; see `genReqId`) is made the
 * request's context, so every log line of the work and every NATS message it
 * sends carries it; `http_requests_total` and `http_request_duration_seconds`
 * count it by route template; with tracing on it is a server span continuing
 * an incoming `traceparent`. One debug line per request, without query or
 * body (they may hold secrets).
 */
export function observeRequests(fastify: FastifyInstance): void {
  const metrics = metricsExposing('httpRequests', 'httpRequestDuration');
  const log = ProcessLog.nest().pino;
  const spans = new WeakMap<FastifyRequest, TracedRequest>();

  if (Tracing.enabled) {
    fastify.addHook('onRequest', (req: FastifyRequest, _reply: FastifyReply, done: () => void) => {
      const path = pathOf(req.url);
      const traced = Tracing.startSpan(`${req.method} ${req.routeOptions.url ?? UNMATCHED}`, SpanKind.SERVER, (key) => headerOf(req, key), {
        'http.request.method': req.method,
        'url.path': path,
      });
      if (traced) spans.set(req, traced);
      done();
    });
  }

  // After the body is parsed: what runs from here on (the handler, its NATS requests) is inside the request's context.
  fastify.addHook('preHandler', (req: FastifyRequest, _reply: FastifyReply, done: () => void) => {
    const traced = spans.get(req);
    const requestId = String(req.id);
    if (traced) Tracing.with(traced.context, () => RequestContext.run(requestId, done));
    else RequestContext.run(requestId, done);
  });

  fastify.addHook('onResponse', (req: FastifyRequest, reply: FastifyReply, done: () => void) => {
    const route = req.routeOptions.url ?? UNMATCHED;
    const status = String(reply.statusCode);
    const labels = { route, method: req.method, status };
    metrics.httpRequests.inc(labels);
    metrics.httpRequestDuration.observe(labels, reply.elapsedTime / 1000);
    const traced = spans.get(req);
    if (traced) {
      traced.span.updateName(`${req.method} ${route}`);
      traced.span.setAttribute('http.route', route);
      traced.span.setAttribute('http.response.status_code', reply.statusCode);
      traced.span.end();
    }
    if (log.isLevelEnabled('debug')) log.debug({ request_id: String(req.id), method: req.method, route, status: reply.statusCode, duration_ms: Math.round(reply.elapsedTime * 10) / 10 }, 'request');
    done();
  });
}

function headerOf(req: FastifyRequest, key: string): string | undefined {
  const value = req.headers[key];
  return Array.isArray(value) ? value[0] : value;
}

/** The request id of an incoming request: its `X-Request-Id` when acceptable, else a new one. */
export function requestIdFor(req: { headers: Record<string, string | string[] | undefined> }): string {
  return RequestContext.acceptOrCreate(req.headers['x-request-id']);
}
