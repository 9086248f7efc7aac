import { Logger } from '@nestjs/common';
import type { ClientProxy } from '@nestjs/microservices';
import { Observable, timeout, TimeoutError, firstValueFrom } from 'rxjs';
import type { RpcRoute } from '#contracts';
import { DirectNatsRequester } from './direct-nats.requester.js';
import { OAuthError, ServerError, TemporarilyUnavailable } from '#oauth';
import { localSubject } from '../observability/message-propagation.js';
import { suiteMetrics } from '../observability/metrics.js';
import { Tracing } from '../observability/tracing.js';

/**
 * Typed request/reply over the suite's transport (NATS, or in process in
 * embedded mode). A reply that carries an error envelope is rebuilt into the
 * OAuth error class; no answer in time becomes `temporarily_unavailable`.
 * Each request is timed (`nats_request_duration_seconds`) and, with tracing
 * on, is a client span whose context travels in the message headers.
 */
export class ServiceBus {
  private readonly logger = new Logger('ServiceBus');
  private readonly duration = suiteMetrics().natsRequestDuration;

  constructor(
    private readonly client: ClientProxy | DirectNatsRequester,
    private readonly timeoutMs: number,
  ) {}

  async connect(): Promise<void> {
    await this.client.connect();
  }

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
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    try {
      if (this.client instanceof DirectNatsRequester) return (await this.client.request(route.subject, payload, timeoutMs)) as Res;
      const reply$: Observable<Res> = this.client.send<Res, Req>(route.subject, payload).pipe(timeout(timeoutMs));
      return await firstValueFrom(reply$, { defaultValue: undefined as Res });
    } catch (err: unknown) {
      throw this.toOAuthError(route.subject, err);
    }
  }

  private toOAuthError(subject: string, err: unknown): OAuthError {
    if (OAuthError.isEnvelope(err)) return OAuthError.fromEnvelope(err);
    if (err instanceof TimeoutError || (err instanceof Error && err.name === 'TimeoutError')) {
      this.logger.warn(`no answer on ${subject} in time`);
      return new TemporarilyUnavailable('a backing service did not answer in time');
    }
    const message = err instanceof Error ? err.message : typeof err === 'string' ? err : JSON.stringify(err);
    if (/no matching message handler|no responders|connection (closed|lost)|503/i.test(message)) {
      this.logger.debug(`${subject} unavailable: ${message}`);
      return new TemporarilyUnavailable('a backing service is not available');
    }
    this.logger.error(`${subject} failed: ${message}`);
    return new ServerError(message);
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
