import { Injectable } from '@nestjs/common';
import type { WebRequest, WebResponse } from '#contracts';
import { ClientDirectory } from '#nest';
import { generateOpaqueToken, sha256Hex } from '#oauth';
import { AuthorizationConfig } from '../config/authorization.config.js';
import { ConsentStore } from '../flow/consent.store.js';
import { GrantService } from '../grants/grant.service.js';
import { describeScope } from '../pages/scope-descriptions.js';
import type { UserEntity } from '../persistence/entities/user.entity.js';
import { PasswordLogin } from '../users/password-login.service.js';
import { SESSION_COOKIE, SessionService } from '../users/session.service.js';
import { UserDirectory } from '../users/user-directory.service.js';
import { ownPatientId } from '../users/user-views.js';
import { csrfMatches, PageKit } from './page-kit.js';
import { WebParams } from './web-params.js';
import { seeOther } from './web-response.js';

const CSRF_COOKIE = 'smart_account_csrf';
const WRONG_CREDENTIALS = 'The username or password is incorrect.';
const THROTTLED = 'Too many failed sign-in attempts. Wait a few minutes and try again.';

/**
 * SMART App Launch 2.2 `management_endpoint`: where a person sees which
 * applications they allowed to access their data and takes access back
 * (ONC (g)(10): patient-directed revocation). Any active user signs in (or
 * is already signed in from a launch); only their own grants are listed and
 * revocable. Forms carry an anti-CSRF token that must equal the
 * `smart_account_csrf` cookie (`SameSite=Strict`, path /account).
 */
@Injectable()
export class AccountEndpoint {
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
      return this.kit.errorPage(403, 'invalid_request', 'The form could not be verified. Open your account page again.');
    }
    const user = await this.signedIn(req);
    switch (action) {
      case 'login':
        return this.login(req);
      case 'logout':
        if (user) await this.sessions.end(sha256Hex(req.cookies[SESSION_COOKIE]!));
        return seeOther('/account', [this.kit.clearCookie(SESSION_COOKIE, '/')]);
      case 'revoke': {
        if (!user) return seeOther('/account');
        const grant = grantId ? await this.grants.find(grantId) : null;
        // Only one's own grants; anything else looks exactly like a grant already gone.
        if (grant && grant.userId === user.id && !grant.revokedAt) {
          await this.grants.revoke(grant.id, 'user', req.requestId);
          await this.consents.forget(grant.userId, grant.clientId);
        }
        return seeOther('/account?revoked=1');
      }
      default:
        return user ? this.grantsPage(req, user, csrf) : this.loginPage(csrf);
    }
  }

  private async signedIn(req: WebRequest): Promise<UserEntity | null> {
    const session = await this.sessions.find(req.cookies[SESSION_COOKIE]);
    const user = session ? await this.users.byId(session.userId) : null;
    return user && !user.disabled ? user : null;
  }

  private csrfCookie(token: string): string {
    return this.kit.cookie(CSRF_COOKIE, token, { path: '/account', sameSite: 'Strict', maxAge: this.config.SESSION_TTL_SECONDS });
  }

  private loginPage(existing: string | undefined, extra: { username?: string; error?: string } = {}, status = 200): WebResponse {
    // With an upstream OpenID Connect provider this server takes no passwords: people sign in through an app.
    if (this.config.UPSTREAM_OIDC_ISSUER !== undefined) {
      return this.kit.errorPage(401, 'login_required', 'Sign in through one of your applications first, then open this page again.');
    }
    const csrf = existing ?? generateOpaqueToken(24);
    const body = this.kit.renderer.login({
      title: 'Sign in',
      stylesheets: this.kit.stylesheets,
      action: '/account/login',
      csrf,
      client: { clientId: 'your applications', name: 'Your applications' },
      ...extra,
    });
    return this.kit.page(status, body, [], existing ? [] : [this.csrfCookie(csrf)]);
  }

  private async login(req: WebRequest): Promise<WebResponse> {
    if (this.config.UPSTREAM_OIDC_ISSUER !== undefined) return this.loginPage(undefined);
    const form = new WebParams(req.form);
    const username = (form.get('username') ?? '').trim();
    const password = form.get('password') ?? '';
    const csrf = req.cookies[CSRF_COOKIE];
    const login = await this.passwords.attempt({ username, password, remoteAddress: req.remoteAddress, requestId: req.requestId });
    if (!login.ok) return this.loginPage(csrf, { username, error: login.reason === 'throttled' ? THROTTLED : WRONG_CREDENTIALS }, login.reason === 'throttled' ? 429 : 401);
    return seeOther('/account', [this.kit.cookie(SESSION_COOKIE, login.token, { path: '/', maxAge: this.config.SESSION_TTL_SECONDS })]);
  }

  private async grantsPage(req: WebRequest, user: UserEntity, existing: string | undefined): Promise<WebResponse> {
    const csrf = existing ?? generateOpaqueToken(24);
    const live = (await this.grants.list({ userId: user.id, limit: 200, offset: 0 })).filter((g) => !g.revokedAt);
    const rows = await Promise.all(
      live.map(async (g) => {
        const client = await this.directory.get(g.clientId);
        return {
          clientName: client?.metadata.client_name ?? g.clientId,
          ...(g.context?.patient ? { patient: patientName(user, g.context.patient) } : {}),
          access: g.scope.split(' ').filter(Boolean).map((s) => describeScope(s).title),
          scope: g.scope,
          createdAt: g.createdAt.toISOString(),
          ...(g.lastUsedAt ? { lastUsedAt: g.lastUsedAt.toISOString() } : {}),
          revokeAction: `/account/grants/${g.id}/revoke`,
        };
      }),
    );
    const body = this.kit.renderer.accountGrants({
      title: 'Your applications',
      stylesheets: this.kit.stylesheets,
      userName: user.displayName,
      csrf,
      grants: rows,
      signOutAction: '/account/logout',
      ...(req.query.revoked === '1' ? { notice: 'Access was taken back: the application can no longer use it.' } : {}),
    });
    return this.kit.page(200, body, [], existing ? [] : [this.csrfCookie(csrf)]);
  }
}

/** The patient of a grant as the person knows them: themselves, one of their patients, or the id. */
function patientName(user: UserEntity, patient: string): string {
  if (ownPatientId(user) === patient) return user.displayName;
  return user.patients.find((p) => p.id === patient)?.name ?? patient;
}
