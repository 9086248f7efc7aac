import type { WebResponse } from '#contracts';
import { htmlPage } from './web-response.js';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/**
 * A page that moves the browser on to `location` by itself (meta refresh,
 * with a link as fallback) instead of a 303. The upstream provider's
 * callback needs it: when the upstream's last step was a form, the browser
 * holds the whole redirect chain that follows to that page's CSP
 * `form-action`, which lists this server but not the client the flow ends
 * at (CSP 3 §6.3.1.1). A new navigation from our own page starts afresh.
 */
export function continuePage(location: string, stylesheets: string[], frameAncestors: string[], cookies?: string[]): WebResponse {
  const href = escapeHtml(location);
  const body = [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="referrer" content="no-referrer">',
    '<meta name="robots" content="noindex, nofollow">',
    `<meta http-equiv="refresh" content="0;url=${href}">`,
    '<title>Signing you in…</title>',
    '<link rel="icon" href="data:,">',
    ...stylesheets.map((s) => `<link rel="stylesheet" href="${escapeHtml(s)}">`),
    '</head>',
    '<body>',
    '<main class="page">',
    '<div class="card">',
    '<h1>Signing you in…</h1>',
    `<p class="lead">If nothing happens, <a href="${href}">continue</a>.</p>`,
    '</div>',
    '</main>',
    '</body>',
    '</html>',
  ].join('\n');
  return htmlPage(200, body, { frameAncestors }, cookies);
}
