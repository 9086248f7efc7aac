import { Logger } from '@nestjs/common';
import type { RpcRoute } from '#contracts';
import { ServerError, TemporarilyUnavailable, type OAuthError } from '#oauth';
import { localSubject } from '../observability/message-propagation.js';
import { suiteMetrics } from '../observability/metrics.js';
import { Tracing } from '../observability/tracing.js';
import type { Requester } from './requester.js';
import { NoResponders, requestFailureOf, ResponderLost } from './transport-errors.js';

/**
 * How long a request may go without its responder answering or saying it
 * works on it (SharedNatsServer sends "working" every 100 ms) before the
 * caller takes the replica for dead: 100 ms of silence is expected, the rest
 * is room for a busy event loop on either side. A replica killed with
 * `kill -9` drops its subscriptions at once (the NATS server sees the socket
 * close), so the requests it had taken are the only ones lost; they fail
 * after this, not after RPC_TIMEOUT_MS. Measured in
 * test/e2e/replica-failover.test.ts. 400 ms took live replicas for dead in
 * the full test run on a loaded two-core machine (a registration answered
 * 503 "a backing service stopped answering"); 700 ms still fails a lost
 * request over within a second.
 */
export const RESPONDER_LIVENESS_MS = 700;

/** Pause before the one retry of a read that found no responder (a replica restarting, a queue group re-forming). */
const NO_RESPONDERS_RETRY_MS = 50;

/**
 * Typed request/reply over the suite's transport, through a Requester (NATS,
 * or in process in embedded mode). A reply that carries an error envelope is
 * rebuilt into the OAuth error class; a transport failure or no answer in
 * time becomes `temporarily_unavailable`, decided by the error's class
 * (requestFailureOf).
 * Each request is timed (`nats_request_duration_seconds`) and, with tracing
 * on, is a client span whose context travels in the message headers.
 *
 * Fast failover (issue #14): a request whose responder died after taking it
 * fails after RESPONDER_LIVENESS_MS of silence, not RPC_TIMEOUT_MS. A route
 * marked idempotent (a read) is then asked once more, as it is when no
 * replica subscribes; anything else answers 503 and is never sent twice.
 */
export class ServiceBus {
  private readonly logger = new Logger('ServiceBus');
  private readonly duration = suiteMetrics().natsRequestDuration;

  constructor(
    private readonly requester: Requester,
    private readonly timeoutMs: number,
  ) {}

  async request<Req, Res>(route: RpcRoute<Req, Res>, payload: Req, options: { timeoutMs?: number } = {}): Promise<Res> {
    const subject = localSubject(route.subject);
    const end = this.duration.startTimer({ subject });
    try {
      const answer = Tracing.enabled
        ? await Tracing.outbound(`nats request ${subject}`, { 'messaging.system': 'nats', 'messaging.destination.name': route.subject }, () => this.send(route, payload, options))
        : await this.send(route, payload, options);
      end({ outcome: 'ok' });
      return answer;
    } catch (err: unknown) {
      end({ outcome: err instanceof TemporarilyUnavailable ? 'unavailable' : err instanceof ServerError ? 'failed' : 'error_reply' });
      throw err;
    }
  }

  private async send<Req, Res>(route: RpcRoute<Req, Res>, payload: Req, options: { timeoutMs?: number }): Promise<Res> {
    try {
      return (await this.attempt(route, payload, options.timeoutMs ?? this.timeoutMs)) as Res;
    } catch (err: unknown) {
      throw this.toOAuthError(route.subject, err);
    }
  }

  /** One attempt, and a second for a read that met no responder or a dead one, within the same overall timeout. */
  private async attempt<Req>(route: RpcRoute<Req, unknown>, payload: Req, timeoutMs: number): Promise<unknown> {
    const deadline = Date.now() + timeoutMs;
    try {
      return await this.requester.request(route.subject, payload, timeoutMs, RESPONDER_LIVENESS_MS);
    } catch (err: unknown) {
      if (!route.idempotent || !(err instanceof NoResponders || err instanceof ResponderLost)) throw err;
      if (err instanceof NoResponders) await new Promise((resolve) => setTimeout(resolve, NO_RESPONDERS_RETRY_MS));
      const left = deadline - Date.now();
      if (left <= 0) throw err;
      this.logger.debug(`${route.subject}: ${err.message}; asking again`);
      return this.requester.request(route.subject, payload, left, RESPONDER_LIVENESS_MS);
    }
  }

  private toOAuthError(subject: string, err: unknown): OAuthError {
    const failure = requestFailureOf(subject, err);
    if (failure.log) this.logger[failure.log.level](failure.log.message);
    return failure.error;
  }
}
