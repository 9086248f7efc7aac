import { Injectable } from '@nestjs/common';
import type { ClientRecord, LaunchContext, WebRequest, WebResponse } from '#contracts';
import { ClientDirectory } from '#nest';
import { ScopeSet, TemporarilyUnavailable } from '#oauth';
import { AuthorizationConfig } from '../config/authorization.config.js';
import { EventRecorder } from '../grants/event-recorder.js';
import { CodeIssuance } from '../grants/code-issuance.js';
import { launchRefusal } from '../launch/launch-access.js';
import type { InteractionEntity } from '../persistence/entities/interaction.entity.js';
import type { UserEntity } from '../persistence/entities/user.entity.js';
import { UpstreamLogin } from '../upstream/upstream-login.service.js';
import { UpstreamProvider } from '../upstream/upstream-provider.js';
import { SESSION_COOKIE, SessionService } from '../users/session.service.js';
import { UserDirectory } from '../users/user-directory.service.js';
import { ownPatientId } from '../users/user-views.js';
import { PageKit } from '../web/page-kit.js';
import { formTargetOf, seeOther, withQuery } from '../web/web-response.js';
import { ConsentStore } from './consent.store.js';
import { INTERACTION_COOKIE, InteractionStore } from './interaction.store.js';

/** The path of an interaction's pages (and of its cookie). */
export function interactionPath(id: string): string {
  return `/interaction/${id}`;
}

/**
 * Drives one authorization request to its end: login, patient choice,
 * consent, then the code back to the client (RFC 6749 §4.1.2 with `iss`,
 * RFC 9207). Each step is a page; `advance` decides which one is next.
 */
@Injectable()
export class InteractionFlow {
  constructor(
    private readonly config: AuthorizationConfig,
    private readonly kit: PageKit,
    private readonly interactions: InteractionStore,
    private readonly sessions: SessionService,
    private readonly users: UserDirectory,
    private readonly consents: ConsentStore,
    private readonly grants: CodeIssuance,
    private readonly directory: ClientDirectory,
    private readonly upstream: UpstreamProvider,
    private readonly upstreamLogin: UpstreamLogin,
    private readonly events: EventRecorder,
  ) {}

  async advance(ix: InteractionEntity, req: WebRequest, cookies: string[] = []): Promise<WebResponse> {
    const request = ix.request;
    const client = await this.directory.get(ix.clientId);
    if (!client) return this.kit.errorPage(400, 'invalid_client', 'This application is no longer registered.');

    // 1. Who is it? A live session is reused unless the client asked for a fresh login.
    let user: UserEntity | null = ix.userId ? await this.users.byId(ix.userId) : null;
    if (!user) {
      const session = await this.sessions.find(req.cookies[SESSION_COOKIE]);
      const tooOld = session && request.maxAge !== undefined && Date.now() - session.authenticatedAt.getTime() > request.maxAge * 1000;
      const candidate = session && request.prompt !== 'login' && !tooOld ? await this.users.byId(session.userId) : null;
      if (session && candidate && !candidate.disabled) {
        await this.interactions.attachUser(ix.id, candidate.id, session.idHash, session.authenticatedAt);
        Object.assign(ix, { userId: candidate.id, sessionHash: session.idHash, authTime: session.authenticatedAt });
        user = candidate;
      } else {
        if (request.prompt === 'none') return this.sendError(ix, 'login_required', 'the user is not signed in', cookies);
        if (this.upstream.enabled) return this.toUpstreamLogin(ix, req, cookies);
        return this.loginPage(ix, client, cookies);
      }
    }
    if (user.disabled) return this.sendError(ix, 'access_denied', 'the account is disabled', cookies);
    // A request that failed its checks before anyone signed in: now its error may go back (RFC 9700 §4.11.2).
    if (request.error) return this.sendError(ix, request.error.error, request.error.description ?? request.error.error, cookies);

    // An EHR launch: may this person open it, through this client? Before any patient choice or consent.
    const refused = await this.refusedLaunch(ix, user, req.requestId, cookies);
    if (refused) return refused;

    // 2. Which patient? EHR launch brings one; a patient user is their own; a practitioner picks.
    if (this.needsPatient(ix) && !ix.patient) {
      const own = ownPatientId(user);
      if (own) {
        await this.interactions.choosePatient(ix.id, own);
        ix.patient = own;
      } else if (user.patients.length > 0) {
        if (request.prompt === 'none') return this.sendError(ix, 'interaction_required', 'a patient must be chosen', cookies);
        return this.pickerPage(ix, client, user, cookies);
      } else {
        return this.sendError(ix, 'access_denied', 'there is no patient this user may open', cookies);
      }
    }

    // 3. Consent: remembered per user and client until revoked; asked again when the request goes beyond it.
    const remembered = request.prompt !== 'consent' && (await this.consents.covers(user.id, client.client_id, request.scope));
    if (!remembered) {
      if (request.prompt === 'none') return this.sendError(ix, 'consent_required', 'the user has not approved this application', cookies);
      return this.consentPage(ix, client, user, cookies);
    }
    return this.finish(ix, request.scope, req.requestId, cookies);
  }

  /** Issues the code for `grantedScope` and sends the browser back to the client. */
  async finish(ix: InteractionEntity, grantedScope: string, requestId: string | undefined, cookies: string[] = []): Promise<WebResponse> {
    if (ix.request.error) return this.sendError(ix, ix.request.error.error, ix.request.error.description ?? ix.request.error.error, cookies);
    // Every way to a code passes here (a consent posted without the page in between too): the launch check again.
    if (ix.launch) {
      const user = ix.userId ? await this.users.byId(ix.userId) : null;
      if (!user) return this.sendError(ix, 'access_denied', 'the user is not signed in', cookies);
      if (user.disabled) return this.sendError(ix, 'access_denied', 'the account is disabled', cookies);
      const refused = await this.refusedLaunch(ix, user, requestId, cookies);
      if (refused) return refused;
    }
    if (!(await this.interactions.complete(ix.id))) return this.kit.errorPage(400, 'invalid_request', 'This request was already completed. Go back to the application and start again.');
    const granted = ScopeSet.parse(grantedScope);
    const launchContext: LaunchContext = { ...(ix.launch ?? {}) };
    if (!launchContext.patient && ix.patient) launchContext.patient = ix.patient;
    const launch = ix.launch ? 'ehr' : granted.has('launch/patient') ? 'standalone' : 'none';
    if (launch !== 'none' || launchContext.patient) {
      // SMART App Launch 2.2 (context-banner, context-style): with a patient in context the token response always
      // says whether the app must show a patient banner (yes, unless the EHR said it shows one itself), and which
      // style to follow (the suite's own unless the EHR gave one).
      launchContext.smart_style_url ??= `${this.config.ISSUER}/smart-style.json`;
      if (launchContext.patient) launchContext.need_patient_banner ??= true;
    }
    const { code } = await this.grants.createWithCode(
      {
        clientId: ix.clientId,
        userId: ix.userId!,
        scope: granted.toString(),
        context: launchContext,
        launch,
        // SMART App Launch 2.2 §"Scopes for requesting a refresh token": an online_access refresh token lives only
        // as long as the user's session; an offline_access one outlives it (logout included).
        sessionHash: granted.has('online_access') && !granted.has('offline_access') ? ix.sessionHash : null,
      },
      {
        redirectUri: ix.request.redirectUri,
        redirectUriSent: ix.request.redirectUriSent,
        codeChallenge: ix.request.codeChallenge,
        nonce: ix.request.nonce,
        authTime: ix.authTime ?? new Date(),
      },
      requestId,
    );
    return seeOther(
      withQuery(ix.request.redirectUri, { code, state: ix.request.state, iss: this.config.ISSUER }),
      [...cookies, this.kit.clearCookie(INTERACTION_COOKIE, interactionPath(ix.id))],
    );
  }

  /** An error back to the (verified) redirect URI with `state` and `iss` (RFC 6749 §4.1.2.1, RFC 9207). */
  async sendError(ix: InteractionEntity, error: string, description: string, cookies: string[] = []): Promise<WebResponse> {
    await this.interactions.complete(ix.id);
    return seeOther(
      withQuery(ix.request.redirectUri, { error, error_description: description, state: ix.request.state, iss: this.config.ISSUER }),
      [...cookies, this.kit.clearCookie(INTERACTION_COOKIE, interactionPath(ix.id))],
    );
  }

  /**
   * An EHR launch the signed-in user may not open through this client (see {@link launchRefusal}): audited as
   * `launch.refused` and answered `access_denied` at the redirect URI (RFC 6749 §4.1.2.1), never a code.
   * Null when there is no launch or it may go on.
   */
  private async refusedLaunch(ix: InteractionEntity, user: UserEntity, requestId: string | undefined, cookies: string[]): Promise<WebResponse | null> {
    if (!ix.launch) return null;
    const refusal = launchRefusal({
      patient: ix.launch.patient,
      binding: ix.launchBinding ?? {},
      clientId: ix.clientId,
      user,
      trustBoundLaunches: this.config.EHR_LAUNCH_TRUSTED === 'true',
    });
    if (!refusal) return null;
    await this.events.record(
      'launch.refused',
      {
        client_id: ix.clientId,
        user_id: user.id,
        ...(user.fhirUser ? { fhirUser: user.fhirUser } : {}),
        ...(ix.launch.patient ? { patient: ix.launch.patient } : {}),
        launched_by: ix.launchedBy ?? '',
        reason: refusal.reason,
      },
      requestId,
    );
    return this.sendError(ix, 'access_denied', refusal.description, cookies);
  }

  /** With an upstream OpenID Connect provider configured, it signs people in instead of the login page. */
  private async toUpstreamLogin(ix: InteractionEntity, req: WebRequest, cookies: string[]): Promise<WebResponse> {
    const binding = req.cookies[INTERACTION_COOKIE];
    if (!binding) return this.kit.errorPage(400, 'invalid_request', 'This sign-in page has expired or was opened in another browser. Go back to the application and start again.');
    try {
      return await this.upstreamLogin.begin(ix, binding, cookies);
    } catch (err: unknown) {
      if (err instanceof TemporarilyUnavailable) return this.sendError(ix, err.error, err.description ?? 'the identity provider cannot be reached', cookies);
      throw err;
    }
  }

  needsPatient(ix: InteractionEntity): boolean {
    if (ix.launch?.patient) return false;
    const scopes = ScopeSet.parse(ix.request.scope);
    return scopes.has('launch/patient') || scopes.values().some((s) => s.kind === 'resource' && s.context === 'patient');
  }

  formTargets(ix: InteractionEntity): string[] {
    return [formTargetOf(ix.request.redirectUri)];
  }

  loginPage(ix: InteractionEntity, client: ClientRecord, cookies: string[], extra: { username?: string; error?: string } = {}, status = 200): WebResponse {
    const body = this.kit.renderer.login({
      title: 'Sign in',
      stylesheets: this.kit.stylesheets,
      action: `${interactionPath(ix.id)}/login`,
      csrf: ix.csrf,
      client: this.kit.clientView(client),
      ...extra,
    });
    return this.kit.page(status, body, this.formTargets(ix), cookies);
  }

  pickerPage(ix: InteractionEntity, client: ClientRecord, user: UserEntity, cookies: string[], error?: string): WebResponse {
    const body = this.kit.renderer.picker({
      title: 'Choose a patient',
      stylesheets: this.kit.stylesheets,
      action: `${interactionPath(ix.id)}/patient`,
      csrf: ix.csrf,
      client: this.kit.clientView(client),
      userName: user.displayName,
      patients: user.patients,
      ...(error ? { error } : {}),
    });
    return this.kit.page(error ? 400 : 200, body, this.formTargets(ix), cookies);
  }

  consentPage(ix: InteractionEntity, client: ClientRecord, user: UserEntity, cookies: string[]): WebResponse {
    const patientId = ix.launch?.patient ?? ix.patient ?? undefined;
    const patientName = patientId ? (user.patients.find((p) => p.id === patientId)?.name ?? (ownPatientId(user) === patientId ? user.displayName : `Patient ${patientId}`)) : undefined;
    const body = this.kit.renderer.consent({
      title: `Allow ${client.metadata.client_name ?? client.client_id}?`,
      stylesheets: this.kit.stylesheets,
      action: `${interactionPath(ix.id)}/consent`,
      csrf: ix.csrf,
      client: this.kit.clientView(client),
      userName: user.displayName,
      ...(patientName ? { patientName } : {}),
      scopes: this.kit.scopeChoices(ix.request.scope),
    });
    return this.kit.page(200, body, this.formTargets(ix), cookies);
  }
}
