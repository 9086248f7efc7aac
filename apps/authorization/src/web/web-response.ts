import type { WebResponse } from '#contracts';

/**
 * Headers of every HTML page: no caching, no referrer, no third-party anything (SMART, RFC 9700 §4.16).
 * `remoteImages`: the consent and launcher pages may show an app's https `logo_uri` (docs/conformance.md).
 */
export function pageHeaders(frameAncestors: string[], formTargets: string[] = [], remoteImages = false): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    pragma: 'no-cache',
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'content-security-policy': [
      "default-src 'none'",
      "style-src 'self'",
      `img-src 'self' data:${remoteImages ? ' https:' : ''}`,
      // Forms post to the suite itself; browsers also check the redirects that follow a submission,
      // so the origin the flow ends at (the client's redirect URI) is listed too.
      `form-action 'self'${formTargets.map((t) => ` ${t}`).join('')}`,
      "base-uri 'none'",
      `frame-ancestors ${frameAncestors.length > 0 ? frameAncestors.join(' ') : "'none'"}`,
    ].join('; '),
  };
  // Older browsers without CSP frame-ancestors: only when no EHR may frame us (X-Frame-Options cannot list origins).
  if (frameAncestors.length === 0) headers['x-frame-options'] = 'DENY';
  return headers;
}

export function htmlPage(status: number, body: string, frame: { frameAncestors: string[]; formTargets?: string[]; remoteImages?: boolean }, cookies?: string[]): WebResponse {
  return { status, headers: pageHeaders(frame.frameAncestors, frame.formTargets, frame.remoteImages), body, ...(cookies?.length ? { cookies } : {}) };
}

/**
 * A page no other site may frame, whatever EHR_ORIGINS says: `frame-ancestors 'none'` and `X-Frame-Options: DENY`
 * (the administration and account pages; only the authorization flow and the EHR launcher are an EHR's to frame).
 */
export function unframeable(response: WebResponse): WebResponse {
  const csp = response.headers?.['content-security-policy'];
  if (csp === undefined) return response;
  return { ...response, headers: { ...response.headers, 'content-security-policy': csp.replace(/frame-ancestors [^;]*/, "frame-ancestors 'none'"), 'x-frame-options': 'DENY' } };
}

/** The CSP source expression for a redirect URI: its origin for http(s), its scheme for private-use schemes (native apps). */
export function formTargetOf(uri: string): string {
  const url = new URL(uri);
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : url.protocol;
}

/** Browser redirects after a form POST are 303 (RFC 9700 §4.12: never 307). */
export function seeOther(location: string, cookies?: string[]): WebResponse {
  return { status: 303, headers: { location, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' }, ...(cookies?.length ? { cookies } : {}) };
}

export { jsonResponse, oauthErrorJson } from '#nest';

export { withQuery } from '../flow/client-redirect.js';
