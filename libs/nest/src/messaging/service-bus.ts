import { Logger } from '@nestjs/common';
import type { ClientProxy } from '@nestjs/microservices';
import { Observable, timeout, TimeoutError, firstValueFrom } from 'rxjs';
import type { RpcRoute } from '#contracts';
import { DirectNatsRequester } from './direct-nats.requester.js';
import { OAuthError, ServerError, TemporarilyUnavailable } from '#oauth';

/**
 * Typed request/reply over the suite's transport (NATS, or in process in
 * embedded mode). A reply that carries an error envelope is rebuilt into the
 * OAuth error class; no answer in time becomes `temporarily_unavailable`.
 */
export class ServiceBus {
  private readonly logger = new Logger('ServiceBus');

  constructor(
    private readonly client: ClientProxy | DirectNatsRequester,
    private readonly timeoutMs: number,
  ) {}

  async connect(): Promise<void> {
    await this.client.connect();
  }

  async request<Req, Res>(route: RpcRoute<Req, Res>, payload: Req, options: { timeoutMs?: number } = {}): Promise<Res> {
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
