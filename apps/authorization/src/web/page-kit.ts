import { timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { ClientMetadata, ClientRecord, WebResponse } from '#contracts';
import { AuthorizationConfig } from '../config/authorization.config.js';
import { isMandatoryScope, offeredScopes } from '../flow/granular-scopes.js';
import { PageRenderer } from '../pages/page-renderer.js';
import { describeScope } from '../pages/scope-descriptions.js';
import type { ClientView, ScopeChoice } from '../pages/views.js';
import { serializeCookie, clearCookie, type CookieOptions } from './cookies.js';
import { htmlPage } from './web-response.js';

const STYLESHEETS = ['/assets/suite.css', '/assets/theme.css'];

/** What every page handler shares: the renderer, framing policy, cookie settings and view helpers. */
@Injectable()
export class PageKit {
  readonly frameAncestors: string[];
  readonly secureCookies: boolean;

  constructor(
    readonly renderer: PageRenderer,
    config: AuthorizationConfig,
  ) {
    this.frameAncestors = (config.EHR_ORIGINS ?? '').split(/[\s,]+/).filter(Boolean);
    this.secureCookies = config.ISSUER.startsWith('https://');
  }

  get stylesheets(): string[] {
    return STYLESHEETS;
  }

  /** `remoteImages`: the page shows an app's https logo (consent, launcher): CSP `img-src` allows https. */
  page(status: number, body: string, formTargets: string[] = [], cookies?: string[], remoteImages = false): WebResponse {
    return htmlPage(status, body, { frameAncestors: this.frameAncestors, formTargets, remoteImages }, cookies);
  }

  errorPage(status: number, code: string, description: string, cookies?: string[]): WebResponse {
    return this.page(status, this.renderer.error({ title: 'Something went wrong', stylesheets: STYLESHEETS, code, description }), [], cookies);
  }

  cookie(name: string, value: string, options: Partial<CookieOptions> & { path: string }): string {
    return serializeCookie(name, value, { sameSite: 'Lax', secure: this.secureCookies, ...options });
  }

  clearCookie(name: string, path: string): string {
    return clearCookie(name, { path, sameSite: 'Lax', secure: this.secureCookies });
  }

  /**
   * The client as pages show it. `about`: also its https logo and its links
   * (home page, terms of service, privacy policy), for the consent and
   * launcher pages (which allow https images); only https URLs, or http on a
   * loopback host, become links.
   */
  clientView(client: Pick<ClientRecord, 'client_id'> & { metadata: Partial<ClientMetadata> }, about = false): ClientView {
    const m = client.metadata;
    const links = about
      ? ([['Home page', m.client_uri], ['Terms of service', m.tos_uri], ['Privacy policy', m.policy_uri]] as const).flatMap(([label, uri]) => {
          const href = safeLink(uri);
          return href ? [{ label, href }] : [];
        })
      : [];
    return {
      clientId: client.client_id,
      name: m.client_name ?? client.client_id,
      ...(m.logo_uri && /^data:image\/(png|gif|jpeg|webp|svg\+xml);base64,[A-Za-z0-9+/=]+$/.test(m.logo_uri) ? { logoDataUri: m.logo_uri } : {}),
      ...(about && m.logo_uri && safeLink(m.logo_uri)?.startsWith('https://') ? { logoUri: safeLink(m.logo_uri)! } : {}),
      ...(m.client_uri ? { homepage: m.client_uri } : {}),
      ...(links.length > 0 ? { links } : {}),
    };
  }

  scopeChoices(scope: string): ScopeChoice[] {
    return offeredScopes(scope).map(({ scope: s, alternatives }) => ({
      scope: s,
      ...describeScope(s),
      mandatory: isMandatoryScope(s),
      ...(alternatives.length > 0 ? { alternatives: alternatives.map((alt) => ({ scope: alt, ...describeScope(alt), mandatory: false })) } : {}),
    }));
  }
}

/** An app's URL fit to be a link or an image on our pages: https, or http on a loopback host; normalised. */
export function safeLink(uri: string | undefined): string | undefined {
  if (!uri || uri.length > 2048) return undefined;
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return undefined;
  }
  if (url.username || url.password) return undefined;
  const loopback = url.hostname === 'localhost' || url.hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(url.hostname);
  return url.protocol === 'https:' || (url.protocol === 'http:' && loopback) ? url.href : undefined;
}

/** Constant-time comparison of a submitted anti-CSRF token. */
export function csrfMatches(submitted: unknown, expected: string): boolean {
  if (typeof submitted !== 'string') return false;
  const a = Buffer.from(submitted);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
