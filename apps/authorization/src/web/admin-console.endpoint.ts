import { Injectable } from '@nestjs/common';
import type { WebRequest } from '#contracts';
import type { UserEntity } from '../persistence/entities/user.entity.js';
import { SignedInGrantsPage, signedInPageSettings } from './signed-in-grants-page.js';

/**
 * The grant administration page (issue #5): an administrator (a user with
 * `admin: true`) signs in at /admin, sees the live grants and revokes them.
 * Forms carry an anti-CSRF token that must equal the `smart_admin_csrf`
 * cookie (`SameSite=Strict`, path /admin).
 */
@Injectable()
export class AdminConsoleEndpoint extends SignedInGrantsPage {
  protected readonly settings = signedInPageSettings('admin', {
    reopen: 'Open the administration page again.',
    wrongCredentials: 'The username or password is incorrect, or the account may not administer grants.',
    signInTo: 'grant administration',
    revokedBy: 'admin',
    // The app directory (issue #16).
    returnTo: /^\/admin\/apps(\/new|\/[A-Za-z0-9._~-]{1,128}(\/edit)?)?$/,
  });

  protected permitted(user: UserEntity): boolean {
    return user.admin;
  }

  /** An administrator may revoke any grant. */
  protected mayRevoke(): boolean {
    return true;
  }

  protected async grantsPage(req: WebRequest, admin: UserEntity, csrf: string): Promise<string> {
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
    return this.kit.renderer.adminGrants({
      title: 'Grant administration',
      stylesheets: this.kit.stylesheets,
      adminName: admin.displayName,
      csrf,
      grants: rows,
      signOutAction: '/admin/logout',
      ...(req.query.revoked === '1' ? { notice: 'The grant was revoked: its tokens no longer work.' } : {}),
    });
  }
}
