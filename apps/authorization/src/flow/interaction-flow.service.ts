import { Injectable } from '@nestjs/common';
import type { LaunchContext, WebRequest } from '#contracts';
import { ClientDirectory } from '#nest';
import { OAuthError, ScopeSet } from '#oauth';
import { AuthorizationConfig } from '../config/authorization.config.js';
import { EventRecorder } from '../grants/event-recorder.js';
import { CodeIssuance } from '../grants/code-issuance.js';
import { launchRefusal, type LaunchRefusal } from '../launch/launch-access.js';
import type { InteractionEntity } from '../persistence/entities/interaction.entity.js';
import type { UserEntity } from '../persistence/entities/user.entity.js';
import { SESSION_COOKIE, SessionService } from '../users/session.service.js';
import { UserDirectory } from '../users/user-directory.service.js';
import { ownPatientId } from '../users/user-views.js';
import { codeRedirect, errorRedirect, type ClientError } from './client-redirect.js';
import { ConsentStore } from './consent.store.js';
import { sessionReusable, signedInStep, signedOutStep, type Decision } from './interaction-steps.js';
import { InteractionStore } from './interaction.store.js';
import type { NextStep } from './next-step.js';

/** The path of an interaction's pages (and of its cookie). */
export function interactionPath(id: string): string {
  return `/interaction/${id}`;
}

const NO_LONGER_REGISTERED = new OAuthError('invalid_client', 400, 'This application is no longer registered.');
const ALREADY_COMPLETED = new OAuthError('invalid_request', 400, 'This request was already completed. Go back to the application and start again.');

/**
 * Drives one authorization request to its end: login, patient choice,
 * consent, then the code back to the client (RFC 6749 §4.1.2 with `iss`,
 * RFC 9207). `advance` gathers what is known, lets the pure decisions of
 * `interaction-steps.ts` choose, applies the transition they name
 * (`interaction-state.ts`) and returns the {@link NextStep}; it renders nothing.
 */
@Injectable()
export class InteractionFlow {
  constructor(
    private readonly config: AuthorizationConfig,
    private readonly interactions: InteractionStore,
    private readonly sessions: SessionService,
    private readonly users: UserDirectory,
    private readonly consents: ConsentStore,
    private readonly grants: CodeIssuance,
    private readonly directory: ClientDirectory,
    private readonly events: EventRecorder,
  ) {}

  async advance(ix: InteractionEntity, req: WebRequest): Promise<NextStep> {
    const request = ix.request;
    const client = await this.directory.get(ix.clientId);
    if (!client) return { kind: 'error', error: NO_LONGER_REGISTERED };

    // 1. Who is it? A live session is reused unless the client asked for a fresh login.
    const user = (ix.userId ? await this.users.byId(ix.userId) : null) ?? (await this.signInFromSession(ix, req));
    if (!user) {
      const decision = signedOutStep(request.prompt);
      return decision.step === 'login' ? { kind: 'login', client } : this.act(ix, decision, null, req.requestId);
    }

    const decision = signedInStep({
      prompt: request.prompt,
      ...(request.error ? { requestError: request.error } : {}),
      disabled: user.disabled,
      launchRefusal: this.refusalFor(ix, user),
      needsPatient: this.needsPatient(ix),
      patient: ix.patient,
      ownPatient: ownPatientId(user),
      listedPatients: user.patients.length,
      consentRemembered: request.prompt !== 'consent' && (await this.consents.covers(user.id, client.client_id, request.scope)),
    });
    if (decision.step === 'pickPatient') return { kind: 'pickPatient', client, user };
    if (decision.step === 'consent' || decision.step === 'finish') {
      if (decision.ownPatient) {
        await this.interactions.choosePatient(ix.id, decision.ownPatient);
        ix.patient = decision.ownPatient;
      }
      return decision.step === 'consent' ? { kind: 'consent', client, user } : this.finish(ix, request.scope, req.requestId, user);
    }
    return this.act(ix, decision, user, req.requestId);
  }

  /**
   * Issues the code for `grantedScope` (transition `complete`) and sends the browser back to the client;
   * `signedIn` is the interaction's user when the caller has just read it (one read fewer).
   */
  async finish(ix: InteractionEntity, grantedScope: string, requestId: string | undefined, signedIn?: UserEntity): Promise<NextStep> {
    if (ix.request.error) return this.fail(ix, { error: ix.request.error.error, description: ix.request.error.description ?? ix.request.error.error });
    // Every way to a code passes here (a consent posted without the page in between too): the launch check again.
    if (ix.launch) {
      const user = ix.userId ? (signedIn?.id === ix.userId ? signedIn : await this.users.byId(ix.userId)) : null;
      if (!user) return this.fail(ix, { error: 'access_denied', description: 'the user is not signed in' });
      if (user.disabled) return this.fail(ix, { error: 'access_denied', description: 'the account is disabled' });
      const refusal = this.refusalFor(ix, user);
      if (refusal) return this.act(ix, { step: 'fail', error: { error: 'access_denied', description: refusal.description }, refusal }, user, requestId);
    }
    if (!(await this.interactions.complete(ix.id))) return { kind: 'error', error: ALREADY_COMPLETED };
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
        ...(signedIn?.id === ix.userId ? { fhirUser: signedIn.fhirUser } : {}),
      },
      {
        redirectUri: ix.request.redirectUri,
        redirectUriSent: ix.request.redirectUriSent,
        codeChallenge: ix.request.codeChallenge,
        nonce: ix.request.nonce,
        dpopJkt: ix.request.dpopJkt,
        authTime: ix.authTime ?? new Date(),
      },
      requestId,
    );
    return { kind: 'redirect', location: codeRedirect(ix.request.redirectUri, code, ix.request.state, this.config.ISSUER) };
  }

  /** Ends the interaction (transition `fail`) with `error` back to the verified redirect URI (RFC 6749 §4.1.2.1). */
  async fail(ix: InteractionEntity, error: ClientError): Promise<NextStep> {
    await this.interactions.fail(ix.id);
    return { kind: 'redirect', location: errorRedirect(ix.request.redirectUri, error, ix.request.state, this.config.ISSUER) };
  }

  /** Whether the scopes need a patient in context that the launch did not give. */
  needsPatient(ix: InteractionEntity): boolean {
    if (ix.launch?.patient) return false;
    const scopes = ScopeSet.parse(ix.request.scope);
    return scopes.has('launch/patient') || scopes.values().some((s) => s.kind === 'resource' && s.context === 'patient');
  }

  /** A failure decided by `interaction-steps.ts`; a refused launch is audited as `launch.refused` first. */
  private async act(ix: InteractionEntity, decision: Extract<Decision, { step: 'fail' }>, user: UserEntity | null, requestId: string | undefined): Promise<NextStep> {
    if (decision.refusal && user) await this.recordRefusal(ix, user, decision.refusal, requestId);
    return this.fail(ix, decision.error);
  }

  /** The browser's live session, when it may sign this interaction in (transition `signIn`); null otherwise. */
  private async signInFromSession(ix: InteractionEntity, req: WebRequest): Promise<UserEntity | null> {
    const session = await this.sessions.find(req.cookies[SESSION_COOKIE]);
    if (!session || !sessionReusable(ix.request, session.authenticatedAt, Date.now())) return null;
    const candidate = await this.users.byId(session.userId);
    if (!candidate || candidate.disabled) return null;
    await this.interactions.signIn(ix.id, candidate.id, session.idHash, session.authenticatedAt);
    Object.assign(ix, { userId: candidate.id, sessionHash: session.idHash, authTime: session.authenticatedAt });
    return candidate;
  }

  /** An EHR launch the signed-in user may not open through this client (see {@link launchRefusal}); null without a launch. */
  private refusalFor(ix: InteractionEntity, user: UserEntity): LaunchRefusal | null {
    if (!ix.launch) return null;
    return launchRefusal({
      patient: ix.launch.patient,
      binding: ix.launchBinding ?? {},
      clientId: ix.clientId,
      user,
      trustBoundLaunches: this.config.EHR_LAUNCH_TRUSTED === 'true',
    });
  }

  private async recordRefusal(ix: InteractionEntity, user: UserEntity, refusal: LaunchRefusal, requestId: string | undefined): Promise<void> {
    await this.events.record(
      'launch.refused',
      {
        client_id: ix.clientId,
        user_id: user.id,
        ...(user.fhirUser ? { fhirUser: user.fhirUser } : {}),
        ...(ix.launch?.patient ? { patient: ix.launch.patient } : {}),
        launched_by: ix.launchedBy ?? '',
        reason: refusal.reason,
      },
      requestId,
    );
  }
}
