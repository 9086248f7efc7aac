import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { MethodNotAllowed, NotFound, OAuthError, ServerError } from '#oauth';
import { EdgePolicy, pathOf } from './edge-policy.js';

const logger = new Logger('gateway');

/** Maps anything thrown to an OAuthError; unknown failures become server_error and are logged here only. */
export function toOAuthError(error: unknown): OAuthError {
  if (error instanceof OAuthError) return error;
  if (error instanceof HttpException && error.getStatus() === 404) return new NotFound();
  if (error instanceof HttpException && error.getStatus() >= 400 && error.getStatus() < 500) {
    // Fastify's own 4xx (body too large, malformed body), as Nest wraps them: shape them as OAuth.
    const status = error.getStatus() === 415 ? 400 : error.getStatus();
    return new OAuthError('invalid_request', status, status === 413 ? 'request body too large' : error.message);
  }
  const err = error as { statusCode?: number; code?: string; message?: string };
  if (typeof err?.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
    // Fastify's own 4xx (body too large, bad content type, malformed body): shape it as OAuth.
    const description = err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? 'request body too large' : (err.message ?? 'bad request');
    return new OAuthError('invalid_request', err.statusCode === 415 ? 400 : err.statusCode, description);
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  logger.error(`unhandled error: ${detail}`);
  return new ServerError(detail);
}

export function renderOAuthError(reply: FastifyReply, error: unknown): void {
  const oauth = toOAuthError(error);
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
