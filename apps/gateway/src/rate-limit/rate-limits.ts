import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { WebRouteTable } from '#contracts';
import { TooManyRequests } from '#oauth';
import { pathOf } from '../http/edge-policy.js';
import { renderOAuthError } from '../http/oauth-error.filter.js';
import { sendErrorPage } from '../http/error-page.js';
import { claimedClientId } from './client-id.hint.js';
import type { WindowCounterStore } from '#nest';
import { FixedWindowLimiter, type LimitDecision } from './fixed-window.limiter.js';
import type { RateLimitPolicy } from './rate-limit.policy.js';
import { SharedWindowLimiter } from './shared-window.limiter.js';

/** A request counter: this replica's own (FixedWindowLimiter) or shared by the replicas (SharedWindowLimiter). */
interface Limiter {
  hit(key: string, limit: number): LimitDecision | Promise<LimitDecision>;
}

/** Keys (clients, addresses) each limiter remembers at most: a few MB per limiter, whatever the traffic. */
const MAX_KEYS = 100_000;

/** The routes that count against a bucket (`WebRoutes` `rateLimit`): the password logins are the sign-in page of an interaction, the administration page's and the account page's. */
const LIMITED = WebRouteTable.of(false, (route) => route.rateLimit !== undefined);

const formOf = (req: FastifyRequest): string => (typeof req.body === 'string' ? req.body : '');

/**
 * General request-rate limits of the gateway, counted across the replicas in
 * `shared` (RATE_LIMIT_STORE=nats: SharedWindowLimiter), or by this replica
 * alone without it (RATE_LIMIT_STORE=memory, or in process: N replicas then
 * admit up to N times a limit):
 * `/token` per client and per address, `/introspect` per client,
 * `/register` per address, the password login forms per address. Distinct
 * from the authorization service's failed-login throttling, which is shared
 * by replicas and counts failures per user name. Over a limit: 429 with
 * `Retry-After`, as OAuth JSON (or an HTML page for the login forms).
 */
export function installRateLimits(fastify: FastifyInstance, policy: RateLimitPolicy, shared?: WindowCounterStore): void {
  if (!policy.active) return;
  const sharedLimiters: SharedWindowLimiter[] = [];
  const limiter = (name: string): Limiter => {
    if (!shared) return new FixedWindowLimiter(policy.windowMs, MAX_KEYS);
    const one = new SharedWindowLimiter(shared, name, policy.windowMs, MAX_KEYS, policy.syncMs);
    sharedLimiters.push(one);
    return one;
  };
  const tokenByAddress = limiter('token-address');
  const tokenByClient = limiter('token-client');
  const introspectByClient = limiter('introspect-client');
  const registerByAddress = limiter('register-address');
  const loginByAddress = limiter('login-address');
  fastify.addHook('onClose', async () => sharedLimiters.forEach((l) => l.stop()));

  /** The first limit refused, as seconds to wait; undefined when every one allows the request. */
  const over = async (...checks: Array<[Limiter, string | undefined, number]>): Promise<number | undefined> => {
    for (const [counter, key, limit] of checks) {
      if (key === undefined) continue;
      const decision = await counter.hit(key, limit);
      if (!decision.allowed) return decision.retryAfterSeconds;
    }
    return undefined;
  };

  fastify.addHook('preHandler', async (req: FastifyRequest, reply: FastifyReply) => {
    if (req.method !== 'POST') return;
    const bucket = LIMITED.match(pathOf(req.url))?.route.rateLimit;
    let wait: number | undefined;
    if (bucket === 'token') {
      const client = claimedClientId(req.headers.authorization, formOf(req));
      wait = await over([tokenByAddress, req.ip, policy.tokenPerAddress], [tokenByClient, client, client === undefined ? 0 : policy.tokenLimitOf(client)]);
    } else if (bucket === 'introspect') {
      const client = claimedClientId(req.headers.authorization, formOf(req));
      wait = await over([introspectByClient, client, client === undefined ? 0 : policy.introspectLimitOf(client)]);
    } else if (bucket === 'register') {
      wait = await over([registerByAddress, req.ip, policy.registerPerAddress]);
    } else if (bucket === 'login') {
      wait = await over([loginByAddress, req.ip, policy.loginPerAddress]);
      if (wait !== undefined) {
        sendErrorPage(reply, new TooManyRequests(wait, `too many sign-in attempts from your network; try again in ${wait} seconds`), 'Too many attempts');
        return reply;
      }
    }
    if (wait === undefined) return;
    renderOAuthError(reply, new TooManyRequests(wait, `too many requests; retry after ${wait} seconds`));
    return reply;
  });
}
