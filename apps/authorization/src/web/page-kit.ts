import { timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { ClientRecord, WebResponse } from '#contracts';
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

  page(status: number, body: string, formTargets: string[] = [], cookies?: string[]): WebResponse {
    return htmlPage(status, body, { frameAncestors: this.frameAncestors, formTargets }, cookies);
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

  clientView(client: ClientRecord): ClientView {
    const m = client.metadata;
    return {
      clientId: client.client_id,
      name: m.client_name ?? client.client_id,
      ...(m.logo_uri && /^data:image\/(png|gif|jpeg|webp|svg\+xml);base64,[A-Za-z0-9+/=]+$/.test(m.logo_uri) ? { logoDataUri: m.logo_uri } : {}),
      ...(m.client_uri ? { homepage: m.client_uri } : {}),
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

/** Constant-time comparison of a submitted anti-CSRF token. */
export function csrfMatches(submitted: unknown, expected: string): boolean {
  if (typeof submitted !== 'string') return false;
  const a = Buffer.from(submitted);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
