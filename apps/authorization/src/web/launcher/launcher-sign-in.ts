import { Injectable } from '@nestjs/common';
import type { WebResponse } from '#contracts';
import type { UserEntity } from '../../persistence/entities/user.entity.js';
import { ownPatientId } from '../../users/user-views.js';
import { SignedInGrantsPage, signedInPageSettings } from '../signed-in-grants-page.js';

/**
 * The EHR launcher's sign-in (issue #16): the shared password sign-in, login
 * session and anti-CSRF cookie (`smart_launcher_csrf`, `SameSite=Strict`,
 * path /launcher) of the signed-in pages, for practitioners (any active user
 * who is not a patient), returning to the launcher page they opened. The
 * session is the suite's one login session, so the app the practitioner
 * launches finds them signed in at /authorize.
 */
@Injectable()
export class LauncherSignIn extends SignedInGrantsPage {
  protected readonly settings = signedInPageSettings('launcher', {
    reopen: 'Open the launcher from the patient chart again.',
    wrongCredentials: 'The username or password is incorrect, or the account may not launch apps for patients.',
    signInTo: 'EHR launcher',
    revokedBy: 'user',
    returnTo: /^\/launcher\?patient=[A-Za-z0-9.-]{1,64}(&encounter=[A-Za-z0-9.-]{1,64})?$/,
  });

  /** Practitioners: a patient user opens only their own record, through an app. */
  protected permitted(user: UserEntity): boolean {
    return ownPatientId(user) === undefined;
  }

  /** The launcher revokes nothing. */
  protected mayRevoke(): boolean {
    return false;
  }

  /** Never drawn: the launcher's page is {@link LauncherEndpoint}'s. */
  protected grantsPage(): Promise<string> {
    return Promise.resolve('');
  }

  /** With an upstream OpenID Connect provider this server takes no passwords. */
  protected override passwordsRefused(): WebResponse | undefined {
    if (this.config.UPSTREAM_OIDC_ISSUER === undefined) return undefined;
    return this.kit.errorPage(401, 'login_required', 'The launcher needs a sign-in with this server or an EHR-signed launch; open it from your EHR.');
  }
}
