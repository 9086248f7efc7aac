import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { metricsExposing } from '#nest';
import { TemporarilyUnavailable } from '#oauth';
import { isJsonObject, jsonObjectSetting, settingProblem } from '../config/json-object-setting.js';
import { pathOf } from '../http/edge-policy.js';
import { sendErrorPage, wantsPage } from '../http/error-page.js';
import { renderOAuthError } from '../http/oauth-error.filter.js';
import { Bulkhead } from './bulkhead.js';
import { LatencyLimit } from './latency-limit.js';

/** The classes of endpoints that get a bulkhead each; discovery, keys and health have none (cached, cheap, and never refused). */
export const ADMISSION_CLASSES = ['token', 'introspection', 'registration', 'login', 'pages', 'admin'] as const;
export type AdmissionClass = (typeof ADMISSION_CLASSES)[number];

export interface AdmissionLimit {
  /** Requests in flight at once in this replica; 0 = no bulkhead. */
  concurrency: number;
  /** Requests waiting for a place at most; beyond them, 503 at once. */
  queue: number;
  /**
   * 0: `concurrency` places, always. Above 0 (at least 1): `concurrency` is a
   * ceiling, and the places open follow latency (see {@link LatencyLimit}):
   * fewer while the admitted requests take more than this many times their
   * unloaded latency on average.
   */
  latencyTolerance: number;
}

/**
 * Defaults per gateway replica, sized for the 2-core reference machine (see
 * docs/operations.md "Admission control"): the hot paths are effectively
 * unbounded (their cost is bounded by CPU, not by the database), sign-ins
 * (scrypt) and registrations (database writes) get few places, so that a
 * flood of either is refused quickly instead of starving the rest.
 */
export const DEFAULT_ADMISSION_LIMITS: Readonly<Record<AdmissionClass, AdmissionLimit>> = Object.freeze({
  token: { concurrency: 512, queue: 1024, latencyTolerance: 0 },
  introspection: { concurrency: 512, queue: 1024, latencyTolerance: 0 },
  registration: { concurrency: 4, queue: 64, latencyTolerance: 0 },
  login: { concurrency: 4, queue: 64, latencyTolerance: 0 },
  pages: { concurrency: 64, queue: 256, latencyTolerance: 0 },
  admin: { concurrency: 16, queue: 64, latencyTolerance: 0 },
});

const FIELDS = ['concurrency', 'queue', 'latencyTolerance'] as const;

const LOGIN = /^\/(interaction\/[^/]+\/login|admin\/login|account\/login)$/;

/** The bulkhead a request belongs to, or undefined for the paths that have none. */
export function admissionClassOf(method: string, path: string): AdmissionClass | undefined {
  if (path === '/token') return 'token';
  if (path === '/introspect' || path === '/revoke') return 'introspection';
  if (path === '/register' || path.startsWith('/register/')) return 'registration';
  if (method === 'POST' && LOGIN.test(path)) return 'login';
  if (path.startsWith('/admin')) return 'admin';
  if (/^\/(par$|authorize|interaction\/|logout|login\/callback|account|launch|userinfo)/.test(path)) return 'pages';
  return undefined;
}

/** `ADMISSION_LIMITS`: JSON overrides of the defaults, e.g. `{"registration": {"concurrency": 16, "queue": 128, "latencyTolerance": 0}}`. */
export function parseAdmissionLimits(json: string | undefined): Record<AdmissionClass, AdmissionLimit> {
  const limits: Record<AdmissionClass, AdmissionLimit> = { ...DEFAULT_ADMISSION_LIMITS };
  const fail = settingProblem('ADMISSION_LIMITS');
  for (const [name, value] of jsonObjectSetting('ADMISSION_LIMITS', json, '{"<class>": {"concurrency": <n>, "queue": <n>}}', 'class')) {
    const cls = ADMISSION_CLASSES.find((c) => c === name);
    if (!cls) fail(`unknown class "${name.slice(0, 40)}" (${ADMISSION_CLASSES.join(', ')})`);
    if (!isJsonObject(value)) fail(`${name}: must be an object like {"concurrency": 8, "queue": 64}`);
    const entry = { ...limits[cls!] };
    for (const [field, n] of Object.entries(value as Record<string, unknown>)) {
      const known = FIELDS.find((f) => f === field);
      if (!known) fail(`${name}.${field.slice(0, 40)}: unknown (${FIELDS.join(', ')})`);
      if (known === 'latencyTolerance') {
        if (typeof n !== 'number' || !(n === 0 || (n >= 1 && n <= 100))) fail(`${name}.latencyTolerance: must be 0 (off) or a number from 1 to 100`);
      } else if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 1_000_000) fail(`${name}.${field}: must be a whole number from 0`);
      entry[known!] = n as number;
    }
    limits[cls!] = entry;
  }
  return limits;
}

/**
 * Admission control in front of the services (issue #14): each class of
 * endpoint has a bulkhead; a request that finds its bulkhead and queue full,
 * or waits longer than its queue allows (see {@link Bulkhead}), gets `503 temporarily_unavailable`
 * with `Retry-After` at once (an HTML page for browser pages), before
 * anything is forwarded. The place is given back when the response is sent
 * or the connection closes, whichever comes first. Runs when the request
 * arrives, before its body is read and before the rate limits (which need
 * the body to name the client).
 */
export function installAdmission(
  fastify: FastifyInstance,
  limits: Record<AdmissionClass, AdmissionLimit>,
  timeouts: { burstMs: number; overloadMs: number },
  retryAfterSeconds: number,
): void {
  const metrics = metricsExposing('admissionRejected', 'admissionInFlight');
  const bulkheads = new Map<AdmissionClass, Bulkhead>();
  for (const cls of ADMISSION_CLASSES) {
    const { concurrency, queue, latencyTolerance } = limits[cls];
    const latency = latencyTolerance > 0 ? new LatencyLimit(concurrency, latencyTolerance) : undefined;
    if (concurrency > 0) bulkheads.set(cls, new Bulkhead(cls, concurrency, queue, timeouts.burstMs, Math.min(timeouts.burstMs, timeouts.overloadMs), latency));
  }
  metrics.watchAdmission(() => [...bulkheads.values()].map((b) => ({ labels: { class: b.name }, value: b.open })));
  const refuse = (req: FastifyRequest, reply: FastifyReply, bulkhead: Bulkhead, path: string): void => {
    const error = new TemporarilyUnavailable(`too many ${bulkhead.name} requests at once; retry after ${retryAfterSeconds} s`, retryAfterSeconds);
    if (wantsPage(req, path)) sendErrorPage(reply, error);
    else renderOAuthError(reply, error);
  };
  const admitted = (reply: FastifyReply, bulkhead: Bulkhead, release: () => void): void => {
    metrics.admissionInFlight.inc({ class: bulkhead.name });
    reply.raw.once('close', () => {
      metrics.admissionInFlight.dec({ class: bulkhead.name });
      release();
    });
  };
  // onRequest: before the body is read and parsed, so a refused request costs the gateway as little as possible.
  // A callback hook, not an async one: a request that finds a place at once (the token path) costs no promise.
  fastify.addHook('onRequest', (req: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) => {
    const path = pathOf(req.url);
    const cls = admissionClassOf(req.method, path);
    const bulkhead = cls === undefined ? undefined : bulkheads.get(cls);
    if (!bulkhead) return done();
    const entered = bulkhead.enter();
    if (!(entered instanceof Promise)) {
      if (!entered) {
        metrics.admissionRejected.inc({ class: bulkhead.name });
        return refuse(req, reply, bulkhead, path);
      }
      admitted(reply, bulkhead, entered);
      return done();
    }
    // A client may go away while its request waits in the queue: its 'close' comes before any place does.
    let gone = false;
    const onClose = () => {
      gone = true;
    };
    reply.raw.once('close', onClose);
    void entered.then((release) => {
      reply.raw.off('close', onClose);
      if (release && gone) release(); // nobody to answer: the place goes to the next one at once
      if (!release || gone) {
        if (!release) metrics.admissionRejected.inc({ class: bulkhead.name });
        return refuse(req, reply, bulkhead, path);
      }
      admitted(reply, bulkhead, release);
      done();
    });
  });
}
