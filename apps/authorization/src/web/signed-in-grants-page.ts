import { Injectable } from '@nestjs/common';
import type { WebRequest, WebResponse } from '#contracts';
import { ClientDirectory } from '#nest';
import { generateOpaqueToken, RequestParams, sha256Hex } from '#oauth';
import { AuthorizationConfig } from '../config/authorization.config.js';
import { ConsentStore } from '../flow/consent.store.js';
import { GrantRevocation } from '../grants/grant-revocation.js';
import { GrantStore } from '../persistence/grant.store.js';
import type { GrantEntity } from '../persistence/entities/grant.entity.js';
import type { UserEntity } from '../persistence/entities/user.entity.js';
import { PasswordLogin } from '../users/password-login.service.js';
import { SESSION_COOKIE, SessionService } from '../users/session.service.js';
import { UserDirectory } from '../users/user-directory.service.js';
import { csrfMatches, PageKit } from './page-kit.js';
import { seeOther } from './web-response.js';

const THROTTLED = 'Too many failed sign-in attempts. Wait a few minutes and try again.';

/** A signed-in person on a page that shares this sign-in: who, the page's anti-CSRF token, the session cookie, and cookies to set. */
export interface SignedInVisit {
  user: UserEntity;
  csrf: string;
  session: string;
  cookies: string[];
}

/** What sets one signed-in grants page apart from another. */
export interface GrantsPageSettings {
  /** Where the page lives (`/admin`, `/account`); its forms post below it. */
  path: string;
  /** The anti-CSRF cookie (`SameSite=Strict`, scoped to `path`). */
  csrfCookie: string;
  /** Shown when a form's anti-CSRF token does not match. */
  formNotVerified: string;
  /** Shown after a failed sign-in; never says which part was wrong. */
  wrongCredentials: string;
  /** How the sign-in page names what the person signs in to. */
  signInTo: { clientId: string; name: string };
  /** Recorded as the revocation's reason. */
  revokedBy: 'admin' | 'user';
  /** Other pages sharing this sign-in that it may return to (`return_to`); none: only `path`. */
  returnTo?: RegExp;
}

/**
 * The settings of a signed-in page, named by its one convention: the page at
 * `/<name>` keeps its anti-CSRF token in `smart_<name>_csrf`, asks a person
 * whose form did not verify to `reopen` it, and its sign-in page names it
 * `signInTo` (capitalised as the heading).
 */
export function signedInPageSettings(
  name: string,
  page: { reopen: string; wrongCredentials: string; signInTo: string; revokedBy: GrantsPageSettings['revokedBy']; returnTo?: RegExp },
): GrantsPageSettings {
  return {
    path: `/${name}`,
    csrfCookie: `smart_${name}_csrf`,
    formNotVerified: `The form could not be verified. ${page.reopen}`,
    wrongCredentials: page.wrongCredentials,
    signInTo: { clientId: page.signInTo, name: page.signInTo.charAt(0).toUpperCase() + page.signInTo.slice(1) },
    revokedBy: page.revokedBy,
    ...(page.returnTo ? { returnTo: page.returnTo } : {}),
  };
}

/**
 * A server-rendered page where a signed-in person lists grants and takes
 * them back: the grant administration page and the account page share the
 * sign-in, the anti-CSRF check, sign-out and revocation; each says who may
 * sign in, which grants they may revoke, and how the list is drawn.
 */
@Injectable() // emits the constructor's parameter types, which the subclasses inherit
export abstract class SignedInGrantsPage {
  protected abstract readonly settings: GrantsPageSettings;

  constructor(
    protected readonly config: AuthorizationConfig,
    protected readonly kit: PageKit,
    protected readonly sessions: SessionService,
    protected readonly users: UserDirectory,
    protected readonly passwords: PasswordLogin,
    protected readonly grants: GrantStore,
    protected readonly revocation: GrantRevocation,
    protected readonly consents: ConsentStore,
    protected readonly directory: ClientDirectory,
  ) {}

  /** Whether this user may use the page at all. */
  protected abstract permitted(user: UserEntity): boolean;
  /** Whether this user may revoke this (live) grant. */
  protected abstract mayRevoke(user: UserEntity, grant: GrantEntity): boolean;
  /** The page of grants for a signed-in user. */
  protected abstract grantsPage(req: WebRequest, user: UserEntity, csrf: string): Promise<string>;
  /** An answer instead of the password sign-in, when this page takes no passwords. */
  protected passwordsRefused(): WebResponse | undefined {
    return undefined;
  }

  async handle(req: WebRequest, action: 'page' | 'login' | 'logout' | 'revoke', grantId?: string): Promise<WebResponse> {
    const { csrfCookie, path } = this.settings;
    const cookie = req.cookies[csrfCookie];
    const csrf = cookie && /^[A-Za-z0-9_-]{32}$/.test(cookie) ? cookie : undefined;
    if (req.method === 'POST' && (!csrf || !csrfMatches(new RequestParams(req.form).get('csrf'), csrf))) {
      return this.kit.errorPage(403, 'invalid_request', this.settings.formNotVerified);
    }
    const user = await this.signedIn(req);
    switch (action) {
      case 'login':
        return this.login(req);
      case 'logout':
        if (user) await this.sessions.end(sha256Hex(req.cookies[SESSION_COOKIE]!));
        return seeOther(path, [this.kit.clearCookie(SESSION_COOKIE, '/')]);
      case 'revoke': {
        if (!user) return seeOther(path);
        const grant = grantId ? await this.grants.find(grantId) : null;
        // A grant this user may not revoke looks exactly like a grant already gone.
        if (grant && !grant.revokedAt && this.mayRevoke(user, grant)) {
          await this.revocation.revoke(grant.id, this.settings.revokedBy, req.requestId, this.settings.revokedBy === 'admin' ? `user:${user.id}` : undefined);
          await this.consents.forget(grant.userId, grant.clientId);
        }
        return seeOther(`${path}?revoked=1`);
      }
      default: {
        if (!user) return this.loginPage(csrf);
        const token = csrf ?? generateOpaqueToken(24);
        return this.kit.page(200, await this.grantsPage(req, user, token), [], csrf ? [] : [this.csrfCookieOf(token)]);
      }
    }
  }

  /**
   * For other pages that share this sign-in (the app directory under
   * /admin/apps, the EHR launcher): the same anti-CSRF check on every POST and the same
   * session; the sign-in page (returning to `returnTo`) when nobody permitted
   * is signed in.
   */
  async visit(req: WebRequest, returnTo: string): Promise<SignedInVisit | WebResponse> {
    const cookie = req.cookies[this.settings.csrfCookie];
    const csrf = cookie && /^[A-Za-z0-9_-]{32}$/.test(cookie) ? cookie : undefined;
    if (req.method === 'POST' && (!csrf || !csrfMatches(new RequestParams(req.form).get('csrf'), csrf))) {
      return this.kit.errorPage(403, 'invalid_request', this.settings.formNotVerified);
    }
    const user = await this.signedIn(req);
    if (!user) return this.loginPage(csrf, { returnTo: this.settings.returnTo?.test(returnTo) ? returnTo : this.settings.path });
    const token = csrf ?? generateOpaqueToken(24);
    return { user, csrf: token, session: req.cookies[SESSION_COOKIE]!, cookies: csrf ? [] : [this.csrfCookieOf(token)] };
  }

  private async signedIn(req: WebRequest): Promise<UserEntity | null> {
    const session = await this.sessions.find(req.cookies[SESSION_COOKIE]);
    const user = session ? await this.users.byId(session.userId) : null;
    return user && !user.disabled && this.permitted(user) ? user : null;
  }

  private csrfCookieOf(token: string): string {
    return this.kit.cookie(this.settings.csrfCookie, token, { path: this.settings.path, sameSite: 'Strict', maxAge: this.config.SESSION_TTL_SECONDS });
  }

  private loginPage(existing: string | undefined, extra: { username?: string; error?: string; returnTo?: string } = {}, status = 200): WebResponse {
    const refused = this.passwordsRefused();
    if (refused) return refused;
    const csrf = existing ?? generateOpaqueToken(24);
    const body = this.kit.renderer.login({
      title: 'Sign in',
      stylesheets: this.kit.stylesheets,
      action: `${this.settings.path}/login`,
      csrf,
      client: this.settings.signInTo,
      ...extra,
    });
    return this.kit.page(status, body, [], existing ? [] : [this.csrfCookieOf(csrf)]);
  }

  private async login(req: WebRequest): Promise<WebResponse> {
    const refused = this.passwordsRefused();
    if (refused) return refused;
    const form = new RequestParams(req.form);
    const username = (form.get('username') ?? '').trim();
    const password = form.get('password') ?? '';
    const csrf = req.cookies[this.settings.csrfCookie];
    const returnTo = form.get('return_to');
    const next = returnTo !== undefined && this.settings.returnTo?.test(returnTo) ? returnTo : this.settings.path;
    const login = await this.passwords.attempt({ username, password, remoteAddress: req.remoteAddress, requestId: req.requestId, permitted: (user) => this.permitted(user) });
    if (!login.ok) {
      const throttled = login.reason === 'throttled';
      return this.loginPage(csrf, { username, error: throttled ? THROTTLED : this.settings.wrongCredentials, ...(next !== this.settings.path ? { returnTo: next } : {}) }, throttled ? 429 : 401);
    }
    return seeOther(next, [this.kit.cookie(SESSION_COOKIE, login.token, { path: '/', maxAge: this.config.SESSION_TTL_SECONDS })]);
  }
}
