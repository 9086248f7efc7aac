import { BaseRpcContext, Server, type CustomTransportStrategy } from '@nestjs/microservices';
import { isObservable, lastValueFrom, type Observable } from 'rxjs';
import { handleInbound } from '../observability/message-propagation.js';

/** A registered handler; `headers` are the message headers NATS would carry (request id, trace context). */
type Handler = (data: unknown, ctx: BaseRpcContext, headers?: Record<string, string>) => Promise<unknown>;

/**
 * The in-process stand-in for NATS request/reply used by the embedded
 * development mode (`npm start` with no NATS_URL): every service runs in one
 * process and registers its handlers here. Payloads are JSON round-tripped so
 * nothing can rely on sharing object identity with the caller, and the
 * request id and trace context go as headers, as over NATS.
 */
export class InProcessRouter {
  private readonly handlers = new Map<string, Handler[]>();
  private readonly cursor = new Map<string, number>();

  register(pattern: string, handler: Handler): () => void {
    const list = this.handlers.get(pattern) ?? [];
    list.push(handler);
    this.handlers.set(pattern, list);
    return () => {
      const remaining = (this.handlers.get(pattern) ?? []).filter((h) => h !== handler);
      if (remaining.length) this.handlers.set(pattern, remaining);
      else this.handlers.delete(pattern);
    };
  }

  /** Round-robin between handlers of the same pattern, like a NATS queue group. */
  resolve(pattern: string): Handler | undefined {
    const list = this.handlers.get(pattern);
    if (!list?.length) return undefined;
    const next = (this.cursor.get(pattern) ?? 0) % list.length;
    this.cursor.set(pattern, next + 1);
    return list[next];
  }
}

export class InProcessServer extends Server implements CustomTransportStrategy {
  private unregister: Array<() => void> = [];

  constructor(private readonly router: InProcessRouter) {
    super();
  }

  listen(callback: (...optionalParams: unknown[]) => void): void {
    for (const [pattern, handler] of this.getHandlers()) {
      this.unregister.push(
        this.router.register(pattern, (data, ctx, headers) =>
          handleInbound(pattern, (key) => headers?.[key], async () => {
            const result: unknown = await handler(data, ctx);
            return isObservable(result) ? lastValueFrom(result as Observable<unknown>) : result;
          }),
        ),
      );
    }
    callback();
  }

  close(): void {
    for (const off of this.unregister) off();
    this.unregister = [];
  }

  on(): void {
    // No connection events in process.
  }

  unwrap<T>(): T {
    return this.router as T;
  }
}
