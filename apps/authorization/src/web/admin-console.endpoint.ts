import { Injectable } from '@nestjs/common';
import type { WebRequest, WebResponse } from '#contracts';
import { ClientDirectory } from '#nest';
import { generateOpaqueToken, sha256Hex } from '#oauth';
import { AuthorizationConfig } from '../config/authorization.config.js';
import { ConsentStore } from '../flow/consent.store.js';
import { GrantService } from '../grants/grant.service.js';
import type { UserEntity } from '../persistence/entities/user.entity.js';
import { PasswordLogin } from '../users/password-login.service.js';
import { SESSION_COOKIE, SessionService } from '../users/session.service.js';
import { UserDirectory } from '../users/user-directory.service.js';
import { csrfMatches, PageKit } from './page-kit.js';
import { WebParams } from './web-params.js';
import { seeOther } from './web-response.js';

const CSRF_COOKIE = 'smart_admin_csrf';
const WRONG_CREDENTIALS = 'The username or password is incorrect, or the account may not administer grants.';
const THROTTLED = 'Too many failed sign-in attempts. Wait a few minutes and try again.';

/**
 * The grant administration page (issue #5): an administrator (a user with
 * `admin: true`) signs in at /admin, sees the live grants and revokes them.
 * Forms carry an anti-CSRF token that must equal the `smart_admin_csrf`
 * cookie (`SameSite=Strict`, path /admin).
 */
@Injectable()
export class AdminConsoleEndpoint {
  constructor(
    private readonly config: AuthorizationConfig,
    private readonly kit: PageKit,
    private readonly sessions: SessionService,
    private readonly users: UserDirectory,
    private readonly passwords: PasswordLogin,
    private readonly grants: GrantService,
    private readonly consents: ConsentStore,
    private readonly directory: ClientDirectory,
  ) {}

  async handle(req: WebRequest, action: 'page' | 'login' | 'logout' | 'revoke', grantId?: string): Promise<WebResponse> {
    const csrf = req.cookies[CSRF_COOKIE] && /^[A-Za-z0-9_-]{32}$/.test(req.cookies[CSRF_COOKIE]!) ? req.cookies[CSRF_COOKIE]! : undefined;
    if (req.method === 'POST' && (!csrf || !csrfMatches(new WebParams(req.form).get('csrf'), csrf))) {
      return this.kit.errorPage(403, 'invalid_request', 'The form could not be verified. Open the administration page again.');
    }
    const admin = await this.signedInAdmin(req);
    switch (action) {
      case 'login':
        return this.login(req);
      case 'logout':
        if (admin) await this.sessions.end(sha256Hex(req.cookies[SESSION_COOKIE]!));
        return seeOther('/admin', [this.kit.clearCookie(SESSION_COOKIE, '/')]);
      case 'revoke': {
        if (!admin) return seeOther('/admin');
        const grant = grantId ? await this.grants.find(grantId) : null;
        if (grant && !grant.revokedAt) {
          await this.grants.revoke(grant.id, 'admin', req.requestId);
          await this.consents.forget(grant.userId, grant.clientId);
        }
        return seeOther('/admin?revoked=1');
      }
      default:
        return admin ? this.grantsPage(req, admin, csrf) : this.loginPage(csrf);
    }
  }

  private async signedInAdmin(req: WebRequest): Promise<UserEntity | null> {
    const session = await this.sessions.find(req.cookies[SESSION_COOKIE]);
    const user = session ? await this.users.byId(session.userId) : null;
    return user && user.admin && !user.disabled ? user : null;
  }

  private csrfCookie(token: string): string {
    return this.kit.cookie(CSRF_COOKIE, token, { path: '/admin', sameSite: 'Strict', maxAge: this.config.SESSION_TTL_SECONDS });
  }

  private loginPage(existing: string | undefined, extra: { username?: string; error?: string } = {}, status = 200): WebResponse {
    const csrf = existing ?? generateOpaqueToken(24);
    const body = this.kit.renderer.login({
      title: 'Sign in',
      stylesheets: this.kit.stylesheets,
      action: '/admin/login',
      csrf,
      client: { clientId: 'grant administration', name: 'Grant administration' },
      ...extra,
    });
    return this.kit.page(status, body, [], existing ? [] : [this.csrfCookie(csrf)]);
  }

  private async login(req: WebRequest): Promise<WebResponse> {
    const form = new WebParams(req.form);
    const username = (form.get('username') ?? '').trim();
    const password = form.get('password') ?? '';
    const csrf = req.cookies[CSRF_COOKIE];
    const login = await this.passwords.attempt({ username, password, remoteAddress: req.remoteAddress, requestId: req.requestId, permitted: (user) => user.admin });
    if (!login.ok) return this.loginPage(csrf, { username, error: login.reason === 'throttled' ? THROTTLED : WRONG_CREDENTIALS }, login.reason === 'throttled' ? 429 : 401);
    const { token } = login;
    return seeOther('/admin', [this.kit.cookie(SESSION_COOKIE, token, { path: '/', maxAge: this.config.SESSION_TTL_SECONDS })]);
  }

  private async grantsPage(req: WebRequest, admin: UserEntity, existing: string | undefined): Promise<WebResponse> {
    const csrf = existing ?? generateOpaqueToken(24);
    const live = (await this.grants.list({ limit: 200, offset: 0 })).filter((g) => !g.revokedAt);
    const rows = await Promise.all(
      live.map(async (g) => {
        const [client, user] = await Promise.all([this.directory.get(g.clientId), this.users.byId(g.userId)]);
        return {
          clientName: client?.metadata.client_name ?? g.clientId,
          userName: user ? `${user.displayName} (${user.username})` : g.userId,
          ...(g.context?.patient ? { patient: g.context.patient } : {}),
          scope: g.scope,
          createdAt: g.createdAt.toISOString(),
          ...(g.lastUsedAt ? { lastUsedAt: g.lastUsedAt.toISOString() } : {}),
          revokeAction: `/admin/grants/${g.id}/revoke`,
        };
      }),
    );
    const body = this.kit.renderer.adminGrants({
      title: 'Grant administration',
      stylesheets: this.kit.stylesheets,
      adminName: admin.displayName,
      csrf,
      grants: rows,
      signOutAction: '/admin/logout',
      ...(req.query.revoked === '1' ? { notice: 'The grant was revoked: its tokens no longer work.' } : {}),
    });
    return this.kit.page(200, body, [], existing ? [] : [this.csrfCookie(csrf)]);
  }
}
