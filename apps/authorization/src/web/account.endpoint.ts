import { Injectable } from '@nestjs/common';
import type { WebRequest, WebResponse } from '#contracts';
import { describeScope } from '../pages/scope-descriptions.js';
import type { GrantEntity } from '../persistence/entities/grant.entity.js';
import type { UserEntity } from '../persistence/entities/user.entity.js';
import { ownPatientId } from '../users/user-views.js';
import { SignedInGrantsPage, signedInPageSettings } from './signed-in-grants-page.js';

/**
 * SMART App Launch 2.2 `management_endpoint`: where a person sees which
 * applications they allowed to access their data and takes access back
 * (ONC (g)(10): patient-directed revocation). Any active user signs in (or
 * is already signed in from a launch); only their own grants are listed and
 * revocable. Forms carry an anti-CSRF token that must equal the
 * `smart_account_csrf` cookie (`SameSite=Strict`, path /account).
 */
@Injectable()
export class AccountEndpoint extends SignedInGrantsPage {
  protected readonly settings = signedInPageSettings('account', {
    reopen: 'Open your account page again.',
    wrongCredentials: 'The username or password is incorrect.',
    signInTo: 'your applications',
    revokedBy: 'user',
  });

  protected permitted(): boolean {
    return true;
  }

  /** Only one's own grants. */
  protected mayRevoke(user: UserEntity, grant: GrantEntity): boolean {
    return grant.userId === user.id;
  }

  /** With an upstream OpenID Connect provider this server takes no passwords: people sign in through an app. */
  protected override passwordsRefused(): WebResponse | undefined {
    if (this.config.UPSTREAM_OIDC_ISSUER === undefined) return undefined;
    return this.kit.errorPage(401, 'login_required', 'Sign in through one of your applications first, then open this page again.');
  }

  protected async grantsPage(req: WebRequest, user: UserEntity, csrf: string): Promise<string> {
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
    return this.kit.renderer.accountGrants({
      title: 'Your applications',
      stylesheets: this.kit.stylesheets,
      userName: user.displayName,
      csrf,
      grants: rows,
      signOutAction: '/account/logout',
      ...(req.query.revoked === '1' ? { notice: 'Access was taken back: the application can no longer use it.' } : {}),
    });
  }
}

/** The patient of a grant as the person knows them: themselves, one of their patients, or the id. */
function patientName(user: UserEntity, patient: string): string {
  if (ownPatientId(user) === patient) return user.displayName;
  return user.patients.find((p) => p.id === patient)?.name ?? patient;
}
