import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasForbiddenCharacters, hasForbiddenEncodedCharacters, InvalidRequest } from '#oauth';
import { pathOf } from './edge-policy.js';
import { sendErrorPage, wantsPage } from './error-page.js';
import { renderOAuthError } from './oauth-error.filter.js';

/**
 * The authorization endpoint checks its own parameters: once the client and
 * the redirect URI are verified, a bad one is an error sent to the redirect
 * URI (RFC 6749 §4.1.2.1), which only the authorization service can decide.
 */
const CHECKED_BY_SERVICE = '/authorize';

/**
 * The app directory's forms (issue #16) have text areas (redirect URIs and
 * contacts one per line, a pasted PEM key): in those fields only, line breaks
 * and tabs are content; anywhere else (a name, a scope) they are refused like
 * every other control character.
 */
const MULTILINE_FORMS = /^\/admin\/apps(\/|$)/;
const MULTILINE_FIELDS: ReadonlySet<string> = new Set(['redirect_uris', 'contacts', 'public_key']);
const LINE_BREAKS = /%0[9AD]/gi;

/** A form body with the line breaks and tabs of its multi-line fields taken out (undecoded: field names are plain). */
function withoutMultilineBreaks(body: string): string {
  return body
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      return eq > 0 && MULTILINE_FIELDS.has(pair.slice(0, eq)) ? pair.slice(0, eq + 1) + pair.slice(eq + 1).replace(LINE_BREAKS, '') : pair;
    })
    .join('&');
}

function isForm(req: FastifyRequest): boolean {
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase() === 'application/x-www-form-urlencoded';
}

/** Which part of the request holds the bad character, named for the error description (decoded only on this error path). */
function culprit(where: 'path' | 'query' | 'form body', encoded: string): string {
  if (where === 'path') return 'the path';
  for (const [name, value] of new URLSearchParams(encoded)) {
    if (hasForbiddenCharacters(name)) return `a parameter name in the ${where}`;
    if (hasForbiddenCharacters(value)) return /^[A-Za-z0-9_.-]{1,64}$/.test(name) ? `the ${name} parameter` : `a parameter in the ${where}`;
  }
  return `the ${where}`;
}

/** The part of the request with a forbidden character, or undefined. JSON bodies are checked where they are parsed (start.ts). */
export function forbiddenInput(req: FastifyRequest): string | undefined {
  const url = req.url;
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  if (hasForbiddenEncodedCharacters(path)) return culprit('path', path);
  if (path === CHECKED_BY_SERVICE) return undefined;
  if (q >= 0 && hasForbiddenEncodedCharacters(url.slice(q + 1))) return culprit('query', url.slice(q + 1));
  if (typeof req.body === 'string' && isForm(req)) {
    const body = MULTILINE_FORMS.test(path) ? withoutMultilineBreaks(req.body) : req.body;
    if (hasForbiddenEncodedCharacters(body)) return culprit('form body', body);
  }
  return undefined;
}

/**
 * Bad bytes are bad input (issue #14): a C0 control or DEL anywhere in the
 * path, the query or a form body is refused with 400 `invalid_request`
 * before anything is forwarded (RFC 6749 §5.2 "malformed"; Appendix A allows
 * none in any OAuth parameter), as OAuth JSON, or as a page for a browser
 * page. Nothing such input would reach could store it: PostgreSQL refuses
 * U+0000. Checked on the undecoded text, so the hot path decodes nothing.
 */
export function installInputCharacterChecks(fastify: FastifyInstance): void {
  // A callback hook, not an async one: no promise per request on the token path.
  fastify.addHook('preHandler', (req: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) => {
    const where = forbiddenInput(req);
    if (where === undefined) return done();
    const error = new InvalidRequest(`${where} contains a control character`);
    // Answered here; `done` is not called, so nothing is forwarded.
    if (wantsPage(req, pathOf(req.url))) sendErrorPage(reply, error, 'Bad request');
    else renderOAuthError(reply, error);
  });
}
