import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { InvalidRequest, MethodNotAllowed, NotFound, OAuthError, PayloadTooLarge, ServerError } from '#oauth';
import { EdgePolicy, pathOf } from './edge-policy.js';

const logger = new Logger('gateway');

/** The media type an endpoint requires (RFC 6749 §3.2, RFC 7591 §3.1), for a precise 400. */
function requiredMediaType(path: string): string {
  return path === '/register' || path.startsWith('/register/') ? 'application/json' : 'application/x-www-form-urlencoded';
}

/** Fastify's own 4xx (body too large, bad content type, malformed URL), shaped as OAuth. */
function fromFrameworkStatus(status: number, code: string | undefined, message: string, path: string): OAuthError {
  if (status === 404) return new NotFound();
  if (status === 413) return new PayloadTooLarge();
  if (status === 415) return new InvalidRequest(`the request body must be ${requiredMediaType(path)}`);
  if (code === 'FST_ERR_BAD_URL') return new InvalidRequest('malformed URL');
  return new OAuthError('invalid_request', status, message);
}

/** Maps anything thrown to an OAuthError; unknown failures become server_error and are logged here only. */
export function toOAuthError(error: unknown, path = ''): OAuthError {
  if (error instanceof OAuthError) return error;
  if (error instanceof HttpException && error.getStatus() >= 400 && error.getStatus() < 500) {
    // Nest wraps Fastify's 4xx errors; the original is the cause.
    const cause = error.cause as { code?: string } | undefined;
    return fromFrameworkStatus(error.getStatus(), cause?.code, error.message, path);
  }
  const err = error as { statusCode?: number; code?: string; message?: string };
  if (typeof err?.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
    return fromFrameworkStatus(err.statusCode, err.code, err.message ?? 'bad request', path);
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  logger.error(`unhandled error: ${detail}`);
  return new ServerError(detail);
}

export function renderOAuthError(reply: FastifyReply, error: unknown): void {
  const oauth = toOAuthError(error, pathOf(reply.request?.url ?? ''));
  if (oauth.status >= 500 && oauth.detail && !(error instanceof ServerError)) logger.error(`${oauth.error}: ${oauth.detail}`);
  reply.code(oauth.status).headers(oauth.headers).header('content-type', 'application/json; charset=utf-8').send(JSON.stringify(oauth.toBody()));
}

/** The one place OAuth errors become HTTP (STYLE pattern 2). */
@Catch()
export class OAuthErrorFilter implements ExceptionFilter {
  constructor(private readonly policy: EdgePolicy) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    if (exception instanceof HttpException && exception.getStatus() === 404) {
      // Nest's not-found route: a known path with the wrong method is 405 with Allow.
      const rule = this.policy.of(pathOf(http.getRequest<FastifyRequest>().url));
      exception = rule ? new MethodNotAllowed(rule.methods.join(', ')) : new NotFound();
    }
    renderOAuthError(http.getResponse<FastifyReply>(), exception);
  }
}
