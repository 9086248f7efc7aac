import { isIP } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { WebRequest, WebResponse } from '#contracts';
import { hasForbiddenCharacters, InvalidRequest } from '#oauth';
import { authorizationOf, requestIdOf } from './request-input.js';

const MAX_COOKIES = 50;

function mediaType(req: FastifyRequest): string {
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

/** Query or form fields, a repeated field as an array (the authorization service decides whether that is an error). */
function multiValued(entries: Iterable<[string, string]>): Record<string, string | string[]> {
  // No prototype: `constructor`, `toString` or `__proto__` are parameters like any other.
  const out: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  for (const [name, value] of entries) {
    const existing = Object.hasOwn(out, name) ? out[name] : undefined;
    if (existing === undefined) out[name] = value;
    else out[name] = Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return out;
}

function cookiesOf(header: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = Object.create(null) as Record<string, string>;
  if (!header) return cookies;
  for (const part of header.split(';').slice(0, MAX_COOKIES)) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    // The first cookie of a name is the most specific path (RFC 6265 §5.4); keep it.
    // A value with a control character is no cookie of ours (RFC 6265 §4.1.1 cookie-octet): it is dropped, never forwarded.
    if (/^[A-Za-z0-9_-]{1,64}$/.test(name) && !Object.hasOwn(cookies, name) && !hasForbiddenCharacters(value)) cookies[name] = value;
  }
  return cookies;
}

/** The HTTP request as the authorization service receives it (`authorization.v1.web`). */
export function webRequestOf(req: FastifyRequest): WebRequest {
  const url = new URL(req.url, 'http://gateway.invalid');
  const request: WebRequest = {
    method: req.method,
    path: url.pathname,
    query: multiValued(url.searchParams),
    cookies: cookiesOf(typeof req.headers.cookie === 'string' ? req.headers.cookie : undefined),
    // The client address is stored (login throttling, login events): with TRUST_PROXY it comes from X-Forwarded-For as
    // sent, so anything that is not an IP address is replaced by the peer's.
    remoteAddress: isIP(req.ip) !== 0 ? req.ip : (req.socket.remoteAddress ?? ''),
    requestId: requestIdOf(req),
  };
  const authorization = authorizationOf(req);
  if (authorization !== undefined) request.authorization = authorization;
  if (typeof req.headers.origin === 'string') request.origin = req.headers.origin;
  const userAgent = req.headers['user-agent'];
  if (typeof userAgent === 'string' && !hasForbiddenCharacters(userAgent)) request.userAgent = userAgent.slice(0, 512);
  if (req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'DELETE') {
    const type = mediaType(req);
    if (type === 'application/x-www-form-urlencoded') {
      request.form = multiValued(new URLSearchParams(typeof req.body === 'string' ? req.body : ''));
    } else if (type === 'application/json') {
      request.json = req.body;
    } else if (type !== '' || (typeof req.body === 'string' && req.body !== '')) {
      throw new InvalidRequest('the body must be application/x-www-form-urlencoded or application/json');
    }
  }
  return request;
}

export function sendWebResponse(reply: FastifyReply, response: WebResponse): void {
  reply.code(response.status);
  for (const [name, value] of Object.entries(response.headers ?? {})) reply.header(name, value);
  if (response.cookies?.length) reply.header('set-cookie', response.cookies);
  reply.send(response.body ?? '');
}
