import type { FastifyReply, FastifyRequest } from 'fastify';
import { WebRouteTable } from '#contracts';
import type { OAuthError } from '#oauth';

/** Paths a browser navigates to (`WebRoutes` of kind `page`: the authorization endpoint and the pages behind it), answered with HTML when they fail. */
const PAGES = WebRouteTable.of(false, (route) => route.kind === 'page');

/** Whether a failed request came from a browser page rather than an API client: an HTML page it can show beats JSON. */
export function wantsPage(req: FastifyRequest, path: string): boolean {
  const accept = req.headers.accept;
  return typeof accept === 'string' && PAGES.match(path) !== undefined && /\btext\/html\b/i.test(accept);
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * A short self-contained error page for a browser: a 503 on a page when the
 * authorization service (which renders every other page) cannot be reached,
 * a 429 on a login form over its rate limit, a 400 for a request the gateway
 * refuses before forwarding it (control characters). No script, no external
 * resource: `default-src 'none'`.
 */
export function sendErrorPage(reply: FastifyReply, error: OAuthError, title = 'Temporarily unavailable'): void {
  const description = escape(error.description ?? 'The service is temporarily unavailable.');
  const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escape(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222}</style></head>
<body><h1>${escape(title)}</h1><p>${description}.</p>${error.status === 429 || error.status >= 500 ? '<p>Please try again in a moment.</p>' : ''}<p><small>${escape(error.error)}</small></p></body></html>
`;
  reply
    .code(error.status)
    .headers(error.headers)
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
    .header('x-frame-options', 'DENY')
    .header('referrer-policy', 'no-referrer')
    .send(body);
}
