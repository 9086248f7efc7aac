import { Injectable } from '@nestjs/common';
import type { ClientRecord, WebRequest, WebResponse } from '#contracts';
import { TemporarilyUnavailable } from '#oauth';
import { InteractionFlow, interactionPath } from '../flow/interaction-flow.service.js';
import { INTERACTION_COOKIE } from '../flow/interaction.store.js';
import type { NextStep } from '../flow/next-step.js';
import type { InteractionEntity } from '../persistence/entities/interaction.entity.js';
import type { UserEntity } from '../persistence/entities/user.entity.js';
import type { InteractionFormView } from '../pages/views.js';
import { UpstreamLogin } from '../upstream/upstream-login.service.js';
import { UpstreamProvider } from '../upstream/upstream-provider.js';
import { ownPatientId } from '../users/user-views.js';
import { PageKit } from './page-kit.js';
import { formTargetOf, seeOther } from './web-response.js';

/** An interaction that is over, expired, or not this browser's. */
export const EXPIRED = 'This sign-in page has expired or was opened in another browser. Go back to the application and start again.';

/** Renders an interaction's {@link NextStep}: its pages (login, patient picker, consent), the redirect back to the client, an error page. */
@Injectable()
export class InteractionPages {
  constructor(
    private readonly kit: PageKit,
    private readonly flow: InteractionFlow,
    private readonly upstream: UpstreamProvider,
    private readonly upstreamLogin: UpstreamLogin,
  ) {}

  async render(step: NextStep, ix: InteractionEntity, req: WebRequest, cookies: string[] = []): Promise<WebResponse> {
    switch (step.kind) {
      case 'login':
        // With an upstream OpenID Connect provider configured, it signs people in instead of the login page.
        return this.upstream.enabled ? this.toUpstreamLogin(ix, req, cookies) : this.loginPage(ix, step.client, cookies);
      case 'pickPatient':
        return this.pickerPage(ix, step.client, step.user, cookies);
      case 'consent':
        return this.consentPage(ix, step.client, step.user, cookies);
      case 'redirect':
        // The interaction is over: its cookie goes.
        return seeOther(step.location, [...cookies, this.kit.clearCookie(INTERACTION_COOKIE, interactionPath(ix.id))]);
      case 'error':
        return this.kit.errorPage(step.error.status, step.error.error, step.error.description ?? step.error.error);
    }
  }

  loginPage(ix: InteractionEntity, client: ClientRecord, cookies: string[], extra: { username?: string; error?: string } = {}, status = 200): WebResponse {
    const body = this.kit.renderer.login({
      ...this.form(ix, client, 'Sign in', 'login'),
      ...extra,
    });
    return this.kit.page(status, body, this.formTargets(ix), cookies);
  }

  pickerPage(ix: InteractionEntity, client: ClientRecord, user: UserEntity, cookies: string[], error?: string): WebResponse {
    const body = this.kit.renderer.picker({
      ...this.form(ix, client, 'Choose a patient', 'patient'),
      userName: user.displayName,
      patients: user.patients,
      ...(error ? { error } : {}),
    });
    return this.kit.page(error ? 400 : 200, body, this.formTargets(ix), cookies);
  }

  private consentPage(ix: InteractionEntity, client: ClientRecord, user: UserEntity, cookies: string[]): WebResponse {
    const patientId = ix.launch?.patient ?? ix.patient ?? undefined;
    const patientName = patientId ? (user.patients.find((p) => p.id === patientId)?.name ?? (ownPatientId(user) === patientId ? user.displayName : `Patient ${patientId}`)) : undefined;
    const body = this.kit.renderer.consent({
      ...this.form(ix, client, `Allow ${client.metadata.client_name ?? client.client_id}?`, 'consent', true),
      userName: user.displayName,
      ...(patientName ? { patientName } : {}),
      scopes: this.kit.scopeChoices(ix.request.scope),
    });
    return this.kit.page(200, body, this.formTargets(ix), cookies, true);
  }

  /** What every page of the interaction shows: its one form, posted to the step's path (with the app's logo and links on the consent page). */
  private form(ix: InteractionEntity, client: ClientRecord, title: string, step: 'login' | 'patient' | 'consent', withAppLinks = false): InteractionFormView {
    return { title, stylesheets: this.kit.stylesheets, action: `${interactionPath(ix.id)}/${step}`, csrf: ix.csrf, client: this.kit.clientView(client, withAppLinks) };
  }

  /** Forms post to the suite; the redirect that follows ends at the client, so CSP `form-action` names its origin. */
  private formTargets(ix: InteractionEntity): string[] {
    return [formTargetOf(ix.request.redirectUri)];
  }

  private async toUpstreamLogin(ix: InteractionEntity, req: WebRequest, cookies: string[]): Promise<WebResponse> {
    const binding = req.cookies[INTERACTION_COOKIE];
    if (!binding) return this.kit.errorPage(400, 'invalid_request', EXPIRED);
    try {
      const { location, cookie } = await this.upstreamLogin.begin(ix, binding);
      return seeOther(location, [...cookies, this.kit.cookie(cookie.name, cookie.value, { path: cookie.path, maxAge: cookie.maxAge })]);
    } catch (err: unknown) {
      if (err instanceof TemporarilyUnavailable) return this.render(await this.flow.fail(ix, { error: err.error, description: err.description ?? 'the identity provider cannot be reached' }), ix, req, cookies);
      throw err;
    }
  }
}
