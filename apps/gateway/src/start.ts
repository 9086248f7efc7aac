import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { loadConfig, ProcessLog, registerReadiness, type Closable, type SuiteRuntime } from '#nest';
import { forbiddenCharactersIn, InvalidClientMetadata, InvalidRequest } from '#oauth';
import { GatewayConfig } from './config/gateway.config.js';
import { fhirSmartConfiguration, sendUdapDocument } from './discovery/discovery.controller.js';
import { DiscoveryService } from './discovery/discovery.service.js';
import { UdapDiscovery } from './discovery/udap-discovery.service.js';
import { gatewayModule } from './gateway.module.js';
import { EdgePolicy, pathOf } from './http/edge-policy.js';
import { installInputCharacterChecks } from './http/input-characters.js';
import { jsonDepth, MAX_JSON_DEPTH } from './http/json-body.js';
import { installOversizedBodyDiscard } from './http/oversized-body.js';
import { renderOAuthError } from './http/oauth-error.filter.js';
import { observeRequests, requestIdFor } from './http/request-observer.js';
import { ServingState } from './http/serving-state.js';
import { RateLimitPolicy } from './rate-limit/rate-limit.policy.js';
import { installRateLimits } from './rate-limit/rate-limits.js';
import { installAdmission, parseAdmissionLimits } from './admission/admission.js';

/**
 * The path of the FHIR base on this server, where the discovery documents are
 * served too: the FHIR base URL's path when it shares the issuer's origin,
 * `/fhir` otherwise (for the FHIR server on its own origin to pass its
 * `/.well-known/*` requests on to; the UDAP document there speaks for
 * FHIR_BASE_URL, `iss` included).
 */
function fhirBasePath(config: GatewayConfig): string {
  const fhir = new URL(config.FHIR_BASE_URL);
  return fhir.origin === new URL(config.ISSUER).origin ? fhir.pathname.replace(/\/$/, '') : '/fhir';
}

function installEdge(fastify: FastifyInstance, policy: EdgePolicy, config: GatewayConfig, serving: ServingState): void {
  // Bodies are parsed here, not by Nest: forms stay raw (duplicates are checked later), JSON errors are OAuth-shaped.
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const refuse = (description: string) =>
      done(pathOf(req.url).startsWith('/register') ? new InvalidClientMetadata(description) : new InvalidRequest(description), undefined);
    if (jsonDepth(body as string) > MAX_JSON_DEPTH) return refuse(`the body is nested more than ${MAX_JSON_DEPTH} levels deep`);
    let parsed: unknown;
    try {
      parsed = body === '' ? undefined : JSON.parse(body as string);
    } catch {
      return refuse('the body is not valid JSON');
    }
    // Issue #14: a JSON string may spell U+0000 or an unpaired surrogate (`"\ud800"`), which PostgreSQL's text and jsonb refuse.
    // The app directory's `public_key` (a pasted PEM key) has line breaks: they are content, other control characters are not.
    const pem = pathOf(req.url).startsWith('/admin/clients') && typeof parsed === 'object' && parsed !== null && typeof (parsed as { public_key?: unknown }).public_key === 'string';
    const bad = forbiddenCharactersIn(pem ? { ...(parsed as object), public_key: (parsed as { public_key: string }).public_key.replace(/[\r\n\t]/g, '') } : parsed);
    if (bad !== undefined) return refuse(`${bad} contains a control character or an unpaired surrogate`);
    done(null, parsed);
  });
  // Any other media type is accepted here and refused by the endpoint with a precise error.
  fastify.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  fastify.addHook('onRequest', (req: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) => {
    reply.header('x-request-id', String(req.id));
    const path = pathOf(req.url);
    const rule = policy.of(path);
    if (rule?.noStore) reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
    if (rule?.cors) {
      reply.header('access-control-allow-origin', '*');
      if (req.method === 'OPTIONS') {
        reply
          .code(204)
          .header('access-control-allow-methods', [...rule.methods, 'OPTIONS'].join(', '))
          .header('access-control-allow-headers', 'Authorization, Content-Type, DPoP, X-Request-Id')
          .header('access-control-max-age', '600')
          .send();
        return;
      }
      reply.header('access-control-expose-headers', 'WWW-Authenticate, DPoP-Nonce, X-Request-Id, Retry-After');
    }
    done();
  });

  // Every 503 says when to come back (RFC 9110 §10.2.3), whichever service or page answered it.
  const retryAfter = String(config.RETRY_AFTER_SECONDS);
  fastify.addHook('onSend', (_req: FastifyRequest, reply: FastifyReply, payload: unknown, done: (err: Error | null, value?: unknown) => void) => {
    if (reply.statusCode === 503 && !reply.hasHeader('retry-after')) reply.header('retry-after', retryAfter);
    // While stopping, no connection is kept alive: the client's next request opens one to another replica (RFC 9112 §9.6).
    if (serving.stopping) reply.header('connection', 'close');
    done(null, payload);
  });
}

/**
 * Graceful stop of the edge: unready first, SHUTDOWN_DELAY_MS of normal
 * service for load balancers to notice, then the listener closes (no new
 * connections, idle keep-alive connections closed) and in-flight requests
 * finish before Nest's lifecycle hooks run.
 */
function gracefulClose(app: NestFastifyApplication, serving: ServingState, delayMs: number, unregister: () => void): Closable {
  return {
    async close() {
      serving.markStopping();
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      // Nest's close() runs the modules' destroy hooks before it closes the HTTP server: close the server first.
      await app.getHttpAdapter().close();
      unregister();
      await app.close();
    },
  };
}

/** Starts the HTTP edge of the suite. */
export async function startGateway(runtime: SuiteRuntime, env: NodeJS.ProcessEnv): Promise<Closable> {
  const config = loadConfig(GatewayConfig, env);
  const limits = new RateLimitPolicy(config);
  const admission = parseAdmissionLimits(config.ADMISSION_LIMITS);
  const adapter = new FastifyAdapter({
    bodyLimit: config.BODY_LIMIT_BYTES,
    trustProxy: config.TRUST_PROXY === 'true',
    requestIdHeader: false,
    genReqId: requestIdFor,
    logger: false,
    // The router refuses a malformed URL before any hook or Nest handler runs: shape that as OAuth JSON too.
    frameworkErrors: (error: FastifyError, _req: FastifyRequest, reply: FastifyReply) => renderOAuthError(reply, error),
  });
  const fhirBase = fhirBasePath(config);
  const policy = new EdgePolicy(fhirBase);
  const serving = new ServingState();
  const app = await NestFactory.create<NestFastifyApplication>(gatewayModule(config, runtime, policy, serving), adapter, {
    bodyParser: false,
    logger: ProcessLog.nest(),
  });
  const fastify = app.getHttpAdapter().getInstance();
  observeRequests(fastify);
  installEdge(fastify, policy, config, serving);
  installOversizedBodyDiscard(fastify, config.BODY_LIMIT_BYTES);
  installInputCharacterChecks(fastify);
  // Counts are kept two windows, so a window's count outlives it whatever the replicas' clocks say.
  installRateLimits(fastify, limits, limits.shared ? runtime.windowCounters(2 * config.RATE_LIMIT_WINDOW_SECONDS) : undefined);
  installAdmission(fastify, admission, { burstMs: config.ADMISSION_QUEUE_TIMEOUT_MS, overloadMs: config.ADMISSION_OVERLOAD_QUEUE_TIMEOUT_MS }, config.RETRY_AFTER_SECONDS);
  // SMART 2.2 D-01 and UDAP Security 2.0 §2.1: served under the FHIR base too; when that base is the issuer itself, the controllers' routes already are.
  if (fhirBase !== '') {
    const discovery = app.get(DiscoveryService);
    const udap = app.get(UdapDiscovery);
    fastify.get(`${fhirBase}/.well-known/smart-configuration`, (_req, reply) => fhirSmartConfiguration(discovery, reply));
    fastify.get(`${fhirBase}/.well-known/udap`, (req, reply) => sendUdapDocument(udap, 'fhir', req, reply).catch((err: unknown) => renderOAuthError(reply, err)));
  }
  await app.listen(config.PORT, config.HOST);
  // The management port's readiness is the public /health/ready, asked in process.
  const unregister = registerReadiness('gateway', async () => {
    const answer = await fastify.inject({ method: 'GET', url: '/health/ready' });
    return { ready: answer.statusCode === 200, report: answer.json() };
  });
  return gracefulClose(app, serving, config.SHUTDOWN_DELAY_MS, unregister);
}
