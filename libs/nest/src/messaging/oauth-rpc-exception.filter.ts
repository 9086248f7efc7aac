import { Catch, Logger, type ArgumentsHost, type RpcExceptionFilter } from '@nestjs/common';
import { throwError, type Observable } from 'rxjs';
import { OAuthError, ServerError, TemporarilyUnavailable, type OAuthErrorEnvelope } from '#oauth';
import { isDatabaseUnavailable, isTransactionConflict } from '../persistence/database-outage.js';

/**
 * Turns whatever a message handler throws into the plain error envelope that
 * crosses NATS. OAuth errors keep their code and description; anything else
 * becomes `server_error` and is logged here, with its detail, and only here,
 * except an unreachable database (a connection refused, terminated or not had
 * in time) or a transaction that kept losing a serialization race: that is
 * `temporarily_unavailable` (503, the gateway adds `Retry-After`), a state the
 * caller may retry, not a bug.
 */
@Catch()
export class OAuthRpcExceptionFilter implements RpcExceptionFilter<unknown> {
  private readonly logger: Logger;

  constructor(service: string) {
    this.logger = new Logger(`${service}:rpc`);
  }

  catch(exception: unknown, host: ArgumentsHost): Observable<never> {
    let envelope: OAuthErrorEnvelope;
    if (exception instanceof OAuthError) {
      if (exception.status >= 500) this.logger.error(`${exception.error}: ${exception.detail ?? exception.description ?? ''}`);
      envelope = exception.toEnvelope();
    } else if (isDatabaseUnavailable(exception)) {
      this.logger.warn(`database unavailable: ${exception instanceof Error ? exception.message : String(exception)}`);
      envelope = new TemporarilyUnavailable('a backing store is not available').toEnvelope();
    } else if (isTransactionConflict(exception)) {
      // Still losing a serialization race or deadlock after inTransaction's retries: the client may try again.
      this.logger.warn(`transaction conflict: ${exception instanceof Error ? exception.message : String(exception)}`);
      envelope = new TemporarilyUnavailable('the change met a concurrent one; try again').toEnvelope();
    } else {
      const pattern = host.getType() === 'rpc' ? host.switchToRpc().getContext<{ getPattern?: () => string }>()?.getPattern?.() : undefined;
      const err = exception instanceof Error ? exception : new Error(String(exception));
      this.logger.error(`unhandled error${pattern ? ` on ${pattern}` : ''}: ${err.message}`, err.stack);
      envelope = new ServerError(err.message).toEnvelope();
    }
    return throwError(() => envelope);
  }
}
