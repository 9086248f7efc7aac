import { Inject, Injectable } from '@nestjs/common';
import { Rpc, type LaunchableApp, type WebRequest, type WebResponse } from '#contracts';
import { ServiceBus } from '#nest';
import { RequestParams } from '#oauth';
import { AuthorizationConfig } from '../../config/authorization.config.js';
import { EventRecorder } from '../../grants/event-recorder.js';
import { EhrSignIn } from '../../launch/ehr-sign-in.js';
import { launchRefusal } from '../../launch/launch-access.js';
import { LaunchService, type VerifiedLaunchJwt } from '../../launch/launch.service.js';
import { LauncherTickets, SIGNED_IN_LAUNCHER, type LauncherVisit } from '../../launch/launcher-tickets.js';
import type { UserEntity } from '../../persistence/entities/user.entity.js';
import { SESSION_COOKIE, SessionService } from '../../users/session.service.js';
import { UserDirectory } from '../../users/user-directory.service.js';
import { UserStore } from '../../users/user.store.js';
import { ownPatientId } from '../../users/user-views.js';
import { PageKit } from '../page-kit.js';
import { formTargetOf, seeOther, withQuery } from '../web-response.js';
import { LauncherSignIn } from './launcher-sign-in.js';

const FHIR_ID = /^[A-Za-z0-9.-]{1,64}$/;
const first = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);
const NOT_PERMITTED = 'You may not open this patient’s record, so no app can be launched for them.';
const EXPIRED = 'This launcher page has expired or could not be verified. Open the launcher from the patient chart again.';

/**
 * The EHR launcher (issue #16; the seed's "FHIR Launch" portlet): GET
 * /launcher?patient=…[&encounter=…] lists, for a signed-in practitioner who
 * may open that patient, the approved apps with a `launch_uri` and the
 * `launch` scope; choosing one (POST) makes a launch context bound to this
 * practitioner, patient, encounter and app (POST /launch's rules) and sends
 * the browser to `launch_uri?iss=<FHIR base>&launch=<id>`: the app then
 * completes the SMART EHR launch. An EHR may open it with its own signed
 * context instead of a sign-in: GET /launcher?launch_jwt=<launch JWT naming
 * `user` and `patient`>, verified like a launch JWT at /authorize.
 */
@Injectable()
export class LauncherEndpoint {
  constructor(
    @Inject(ServiceBus) private readonly bus: ServiceBus,
    private readonly config: AuthorizationConfig,
    private readonly kit: PageKit,
    private readonly signIn: LauncherSignIn,
    private readonly launches: LaunchService,
    private readonly tickets: LauncherTickets,
    private readonly users: UserDirectory,
    private readonly userStore: UserStore,
    private readonly sessions: SessionService,
    private readonly events: EventRecorder,
    private readonly ehrSignIn: EhrSignIn,
  ) {}

  handle(req: WebRequest): Promise<WebResponse> {
    return req.method === 'POST' ? this.launch(req) : this.list(req);
  }

  /** POST /launcher/login: the launcher's sign-in form. */
  login(req: WebRequest): Promise<WebResponse> {
    return this.signIn.handle(req, 'login');
  }

  private async list(req: WebRequest): Promise<WebResponse> {
    const opened = await this.open(req);
    if ('status' in opened) return opened;
    const { user, visit, cookies, verified } = opened;
    if (this.refused(user, visit)) return this.kit.errorPage(403, 'access_denied', NOT_PERMITTED, cookies);
    const apps = await this.launchable();
    // Opened on an EHR's signed word: when that word is trusted to sign the practitioner in, the launches made here carry the session.
    const sessionHash = verified ? await this.ehrSignIn.open(verified, user, req.remoteAddress, req.requestId) : null;
    const ticket = await this.tickets.issue({ ...visit, ...(sessionHash ? { sessionHash } : {}) }, user.fhirUser);
    const body = this.kit.renderer.launcher({
      title: 'Launch an app',
      stylesheets: this.kit.stylesheets,
      userName: user.displayName,
      patientName: user.patients.find((p) => p.id === visit.patient)?.name ?? `Patient ${visit.patient}`,
      ...(visit.encounter ? { encounter: visit.encounter } : {}),
      action: '/launcher',
      ticket,
      apps: apps.map((app) => this.kit.clientView({ client_id: app.client_id, metadata: app }, true)),
    });
    // The form posts here; the redirect that follows ends at an app's launch_uri, so CSP `form-action` names those origins.
    return this.kit.page(200, body, [...new Set(apps.map((app) => formTargetOf(app.launch_uri)))], cookies, true);
  }

  /** Who opened the launcher, for which patient: an EHR's signed context, or the launcher's sign-in. */
  private async open(req: WebRequest): Promise<{ user: UserEntity; visit: LauncherVisit; cookies: string[]; verified?: VerifiedLaunchJwt } | WebResponse> {
    const jwt = first(req.query.launch_jwt);
    if (jwt !== undefined) {
      const verified = await this.launches.openLauncherJwt(jwt);
      const named = verified.binding.user!;
      const user = (await this.users.byId(named)) ?? (await this.userStore.byUsername(named));
      const patient = verified.context.patient!;
      if (!user || user.disabled || ownPatientId(user) !== undefined || (verified.binding.fhirUser !== undefined && verified.binding.fhirUser !== user.fhirUser)) {
        return this.kit.errorPage(403, 'access_denied', 'The launch names no practitioner of this server.');
      }
      return { user, visit: { userId: user.id, patient, ...(verified.context.encounter ? { encounter: verified.context.encounter } : {}), launchedBy: verified.ehrClientId }, cookies: [], verified };
    }
    const patient = first(req.query.patient);
    const encounter = first(req.query.encounter);
    if (patient === undefined || !FHIR_ID.test(patient) || (encounter !== undefined && !FHIR_ID.test(encounter))) {
      return this.kit.errorPage(400, 'invalid_request', 'Open the launcher from a patient chart: /launcher?patient=<id> (and &encounter=<id>), or with an EHR-signed launch_jwt.');
    }
    const visited = await this.signIn.visit(req, `/launcher?patient=${patient}${encounter !== undefined ? `&encounter=${encounter}` : ''}`);
    if (!('user' in visited)) return visited;
    return { user: visited.user, visit: { userId: visited.user.id, patient, ...(encounter !== undefined ? { encounter } : {}), launchedBy: SIGNED_IN_LAUNCHER }, cookies: visited.cookies };
  }

  /** POST /launcher: the practitioner chose an app. */
  private async launch(req: WebRequest): Promise<WebResponse> {
    const form = new RequestParams(req.form);
    const visit = await this.tickets.redeem(form.get('ticket'));
    if (!visit) return this.kit.errorPage(403, 'invalid_request', EXPIRED);
    if (visit.launchedBy === SIGNED_IN_LAUNCHER) {
      // Opened by the launcher's sign-in: still that person's session.
      const session = await this.sessions.find(req.cookies[SESSION_COOKIE]);
      if (!session || session.userId !== visit.userId) return this.kit.errorPage(403, 'invalid_request', EXPIRED);
    }
    const user = await this.users.byId(visit.userId);
    if (!user || user.disabled || this.refused(user, visit)) return this.kit.errorPage(403, 'access_denied', NOT_PERMITTED);
    const clientId = form.get('client_id');
    const app = (await this.launchable()).find((a) => a.client_id === clientId);
    if (!app) return this.kit.errorPage(400, 'invalid_request', 'That app is not available for launching. Open the launcher again.');
    const { launch } = await this.launches.create(
      visit.launchedBy,
      {
        patient: visit.patient,
        ...(visit.encounter ? { encounter: visit.encounter } : {}),
        user: user.id,
        ...(user.fhirUser ? { fhirUser: user.fhirUser } : {}),
        client_id: app.client_id,
      },
      visit.sessionHash ?? null,
    );
    await this.events.record(
      'launch.created',
      {
        client_id: app.client_id,
        user_id: user.id,
        ...(user.fhirUser ? { fhirUser: user.fhirUser } : {}),
        patient: visit.patient,
        ...(visit.encounter ? { encounter: visit.encounter } : {}),
        launched_by: visit.launchedBy,
      },
      req.requestId,
    );
    return seeOther(withQuery(app.launch_uri, { iss: this.config.FHIR_BASE_URL, launch }));
  }

  /**
   * Whether this practitioner may not open the patient: the launch-binding
   * rules with a launch bound to them; an EHR's signed word opens a patient
   * off their list only when the operator trusts EHR launches (EHR_LAUNCH_TRUSTED).
   */
  private refused(user: UserEntity, visit: LauncherVisit): boolean {
    const trusted = visit.launchedBy !== SIGNED_IN_LAUNCHER && this.config.EHR_LAUNCH_TRUSTED === 'true';
    return launchRefusal({ patient: visit.patient, binding: { user: user.id }, clientId: '', user, trustBoundLaunches: trusted }) !== null;
  }

  private launchable(): Promise<LaunchableApp[]> {
    return this.bus.request(Rpc.registration.launchableApps, {});
  }
}
