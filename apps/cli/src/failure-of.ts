import * as oidc from 'openid-client';
import { CommandFailure } from './command-failure.js';
import { UsageError } from './usage-error.js';

/** An OAuth error body (RFC 6749 §5.2), if `body` is one. */
export function oauthErrorOf(body: unknown): { error: string; error_description?: string } | undefined {
  if (typeof body !== 'object' || body === null || typeof (body as { error?: unknown }).error !== 'string') return undefined;
  const { error, error_description } = body as { error: string; error_description?: unknown };
  return { error, ...(typeof error_description === 'string' ? { error_description } : {}) };
}

/** The network error under a failed fetch (`fetch failed` → ECONNREFUSED, ENOTFOUND, …). */
function networkCause(err: Error): string | undefined {
  const cause = (err as { cause?: unknown }).cause;
  if (cause instanceof Error) return (cause as NodeJS.ErrnoException).code ?? cause.message;
  return undefined;
}

/**
 * Any error thrown while talking to the suite, as what the operator should
 * read: the OAuth error and description the server sent, or why it could not
 * be reached. Never a stack trace.
 */
export async function failureOf(err: unknown, issuer: string): Promise<CommandFailure | UsageError> {
  if (err instanceof CommandFailure || err instanceof UsageError) return err;
  if (err instanceof oidc.ResponseBodyError) return new CommandFailure(err.error, err.error_description, err.status);
  if (err instanceof oidc.AuthorizationResponseError) return new CommandFailure(err.error, err.error_description);
  if (err instanceof oidc.WWWAuthenticateChallengeError) {
    // A 401 with a challenge: the JSON body still says what went wrong (RFC 6749 §5.2).
    const body = oauthErrorOf(await err.response.clone().json().catch(() => undefined));
    if (body) return new CommandFailure(body.error, body.error_description, err.response.status);
    const challenge = err.cause[0]?.parameters;
    return new CommandFailure(challenge?.error ?? 'invalid_client', challenge?.error_description ?? err.message, err.response.status);
  }
  if (err instanceof Error) {
    const network = networkCause(err);
    if (err.name === 'TimeoutError') return new CommandFailure('unreachable', `${issuer} did not answer in time`);
    if (network) return new CommandFailure('unreachable', `cannot reach ${issuer}: ${network}`);
    return new CommandFailure('failed', err.message);
  }
  return new CommandFailure('failed', String(err));
}
