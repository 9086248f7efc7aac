import { createHash, randomBytes } from 'node:crypto';
import type { RunningSuite } from '#testing';
import { replyOf, type Reply } from './http.js';

/**
 * The authorization pages driven with plain fetch, no browser: a cookie jar,
 * redirects not followed (`redirect: 'manual'`), forms parsed out of the HTML.
 * For e2e tests that need a code, a session, or a page in a given state.
 */

interface StoredCookie {
  value: string;
  path: string;
}

/** Just enough of RFC 6265 for one host: name, value, Path, Max-Age=0 deletes. */
export class CookieJar {
  private readonly cookies = new Map<string, StoredCookie>();

  absorb(headers: Headers): void {
    for (const line of headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';').map((p) => p.trim());
      const eq = pair!.indexOf('=');
      if (eq <= 0) continue;
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      const attr = new Map(attributes.map((a) => [a.split('=')[0]!.toLowerCase(), a.slice(a.indexOf('=') + 1)] as [string, string]));
      const path = attr.get('path') ?? '/';
      const key = `${name}|${path}`;
      if (attr.get('max-age') === '0' || value === '') this.cookies.delete(key);
      else this.cookies.set(key, { value, path });
    }
  }

  /** The Cookie header for `path`: most specific path first (RFC 6265 §5.4). */
  header(path: string): string {
    return [...this.cookies.entries()]
      .filter(([, c]) => path === c.path || path.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
      .sort(([, a], [, b]) => b.path.length - a.path.length)
      .map(([key, c]) => `${key.split('|')[0]}=${c.value}`)
      .join('; ');
  }

  get(name: string): string | undefined {
    return [...this.cookies.entries()].find(([key]) => key.split('|')[0] === name)?.[1].value;
  }

  delete(name: string): void {
    for (const key of [...this.cookies.keys()]) if (key.split('|')[0] === name) this.cookies.delete(key);
  }

  clone(): CookieJar {
    const copy = new CookieJar();
    for (const [k, v] of this.cookies) copy.cookies.set(k, { ...v });
    return copy;
  }
}

/** RFC 7636 §4.1/§4.2: a random verifier and its S256 challenge. */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** A request as a browser would send it: the jar's cookies, redirects not followed, cookies taken back. */
export async function browse(suite: RunningSuite, jar: CookieJar, pathOrUrl: string, init: RequestInit = {}): Promise<Reply> {
  const url = new URL(pathOrUrl, suite.baseUrl);
  const headers = new Headers(init.headers);
  const cookie = jar.header(url.pathname);
  if (cookie && !headers.has('cookie')) headers.set('cookie', cookie);
  const res = await fetch(url, { ...init, headers, redirect: 'manual' });
  jar.absorb(res.headers);
  return replyOf(res);
}

/** POSTs a form (`application/x-www-form-urlencoded`); `fields` may repeat a name. */
export function postForm(suite: RunningSuite, jar: CookieJar, path: string, fields: Array<[string, string]> | Record<string, string>, headers: Record<string, string> = {}): Promise<Reply> {
  const body = new URLSearchParams(Array.isArray(fields) ? fields : Object.entries(fields)).toString();
  return browse(suite, jar, path, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });
}

/** HTML attribute values as the page renderer escapes them. */
function unescapeHtml(value: string): string {
  return value.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** The anti-CSRF token of the page's form (`<input type="hidden" name="csrf" value="…">`). */
export function csrfOf(html: string): string {
  const match = /name="csrf" value="([^"]*)"/.exec(html);
  if (!match) throw new Error(`no csrf field on the page: ${html.slice(0, 300)}`);
  return unescapeHtml(match[1]!);
}

/** The `action` of the page's (first) form. */
export function formActionOf(html: string): string | undefined {
  const match = /<form[^>]*action="([^"]*)"/.exec(html);
  return match ? unescapeHtml(match[1]!) : undefined;
}

/** Every `value` of the inputs named `name`, in page order, without duplicates. */
export function inputValuesOf(html: string, name: string): string[] {
  const values = [...html.matchAll(new RegExp(`name="${name}" value="([^"]*)"`, 'g'))].map((m) => unescapeHtml(m[1]!));
  return [...new Set(values)];
}

/** The text of the page's error alert, if any. */
export function alertOf(html: string): string | undefined {
  const match = /role="alert"[^>]*>([^<]*)</.exec(html);
  return match ? unescapeHtml(match[1]!) : undefined;
}

export interface AuthorizationParams {
  client_id: string;
  redirect_uri?: string;
  scope: string;
  aud?: string;
  state?: string;
  [name: string]: string | undefined;
}

export interface StartedAuthorization {
  reply: Reply;
  verifier: string;
  challenge: string;
  state: string;
  /** The interaction page the browser is sent to (a path), when the request was accepted and asks a page. */
  interaction?: string;
  /**
   * Where the browser was sent straight back to (the client's redirect URI, with a code or an error), when the
   * request needed no page: a live session whose consent covers it, or `prompt=none`.
   */
  callback?: URL;
}

/** GET /authorize with PKCE S256 and the suite's FHIR base as `aud` unless given. */
export async function startAuthorization(suite: RunningSuite, jar: CookieJar, params: AuthorizationParams): Promise<StartedAuthorization> {
  const { verifier, challenge } = pkcePair();
  const state = params.state ?? randomBytes(8).toString('hex');
  const query = new URLSearchParams({ response_type: 'code', aud: suite.fhirBaseUrl, code_challenge: challenge, code_challenge_method: 'S256', state });
  for (const [k, v] of Object.entries(params)) if (v !== undefined) query.set(k, v);
  const reply = await browse(suite, jar, `/authorize?${query.toString()}`);
  const location = reply.headers.get('location') ?? '';
  const straightBack = reply.status === 303 && location !== '' && new URL(location, suite.baseUrl).origin !== new URL(suite.baseUrl).origin;
  return {
    reply,
    verifier,
    challenge,
    state,
    ...(reply.status === 303 && location.startsWith('/interaction/') ? { interaction: location } : {}),
    ...(straightBack ? { callback: new URL(location) } : {}),
  };
}

/** POSTs the login form of `interaction` (csrf read from its page unless given). */
export async function submitLogin(suite: RunningSuite, jar: CookieJar, interaction: string, username: string, password: string, csrf?: string): Promise<Reply> {
  const token = csrf ?? csrfOf((await browse(suite, jar, interaction)).text);
  return postForm(suite, jar, `${interaction}/login`, { csrf: token, username, password });
}

export interface PageAnswers {
  username: string;
  password: string;
  /** The patient to pick on the patient picker. */
  patient?: string;
  /** Scopes to leave ticked on the consent page (default: all offered). */
  scopes?: string[];
  decision?: 'approve' | 'deny';
}

/**
 * From the interaction page on, answers every page (login, picker, consent)
 * until the browser is sent away from the suite; returns that redirect.
 */
export async function completeInteraction(suite: RunningSuite, jar: CookieJar, interaction: string, answers: PageAnswers): Promise<URL> {
  let page = await browse(suite, jar, interaction);
  for (let step = 0; step < 8; step++) {
    if (page.status === 303) {
      const location = page.headers.get('location')!;
      const target = new URL(location, suite.baseUrl);
      if (target.origin === new URL(suite.baseUrl).origin && target.pathname.startsWith('/interaction/')) {
        page = await browse(suite, jar, location);
        continue;
      }
      return target;
    }
    if (page.status !== 200) throw new Error(`interaction page answered ${page.status}: ${visibleText(page.text).slice(0, 400)}`);
    const action = formActionOf(page.text);
    const csrf = csrfOf(page.text);
    if (action?.endsWith('/login')) {
      page = await postForm(suite, jar, action, { csrf, username: answers.username, password: answers.password });
    } else if (action?.endsWith('/patient')) {
      if (!answers.patient) throw new Error('the patient picker was shown but no patient was given');
      page = await postForm(suite, jar, action, { csrf, patient: answers.patient });
    } else if (action?.endsWith('/consent')) {
      const offered = inputValuesOf(page.text, 'scope');
      const ticked = answers.scopes ?? offered;
      page = await postForm(suite, jar, action, [['csrf', csrf], ...ticked.map((s): [string, string] => ['scope', s]), ['decision', answers.decision ?? 'approve']]);
    } else {
      throw new Error(`unexpected page (form action ${action}): ${page.text.slice(0, 400)}`);
    }
  }
  throw new Error('the interaction did not end');
}

export interface ObtainedCode {
  code: string;
  verifier: string;
  state: string;
  callback: URL;
  jar: CookieJar;
}

/** A whole authorization request answered by `answers`; returns the code for the token request. */
export async function obtainCode(suite: RunningSuite, params: AuthorizationParams, answers: PageAnswers, jar = new CookieJar()): Promise<ObtainedCode> {
  const started = await startAuthorization(suite, jar, params);
  if (!started.interaction && !started.callback) throw new Error(`/authorize answered ${started.reply.status} ${started.reply.headers.get('location') ?? started.reply.text.slice(0, 300)}`);
  const callback = started.callback ?? (await completeInteraction(suite, jar, started.interaction!, answers));
  const code = callback.searchParams.get('code');
  if (!code) throw new Error(`no code in ${callback.href}`);
  return { code, verifier: started.verifier, state: started.state, callback, jar };
}

/** The words a person would read on a page (tags and head dropped), for failure messages. */
function visibleText(html: string): string {
  return html.replace(/<head>[\s\S]*?<\/head>/i, '').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim();
}
