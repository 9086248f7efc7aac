import { Injectable } from '@nestjs/common';
import type { ClientRecord, WebRequest, WebResponse } from '#contracts';
import { ClientDirectory } from '#nest';
import { hasForbiddenCharacters, OAuthError, RequestParams } from '#oauth';
import { AuthorizationConfig } from '../config/authorization.config.js';
import { deferredRequest, echoableState, validateAuthorizationRequest, verifyClientAndRedirect, type AuthorizationRequest, type VerifiedRedirect } from '../flow/authorization-request.js';
import { errorRedirect } from '../flow/client-redirect.js';
import { InteractionFlow, interactionPath } from '../flow/interaction-flow.service.js';
import { INTERACTION_COOKIE, InteractionStore } from '../flow/interaction.store.js';
import { EhrSignIn } from '../launch/ehr-sign-in.js';
import type { ResolvedLaunch } from '../launch/launch-binding.js';
import { LaunchService } from '../launch/launch.service.js';
import { pushRequired } from '../par/par-requirement.js';
import { PushedRequestStore, type TakenPushedRequest } from '../par/pushed-request.store.js';
import { isPushedRequestUri, requestUriHash } from '../par/request-uri.js';
import { SESSION_COOKIE, SessionService } from '../users/session.service.js';
import { UserDirectory } from '../users/user-directory.service.js';
import { PageKit } from './page-kit.js';
import { seeOther } from './web-response.js';

/**
 * GET|POST /authorize (RFC 6749 §4.1.1; POST form per SMART `authorize-post`),
 * or with the `request_uri` of a pushed request (RFC 9126 §4). A valid request
 * becomes an interaction bound to this browser by a cookie, and the browser
 * goes on to its pages.
 */
@Injectable()
export class AuthorizeEndpoint {
  constructor(
    private readonly config: AuthorizationConfig,
    private readonly directory: ClientDirectory,
    private readonly interactions: InteractionStore,
    private readonly launches: LaunchService,
    private readonly pushedRequests: PushedRequestStore,
    private readonly sessions: SessionService,
    private readonly users: UserDirectory,
    private readonly kit: PageKit,
    private readonly ehrSignIn: EhrSignIn,
    private readonly flow: InteractionFlow,
  ) {}

  async handle(req: WebRequest): Promise<WebResponse> {
    // OIDC Core §3.1.2.1: a POSTed request is a form; anything else cannot be read, so nothing can be redirected.
    if (req.method === 'POST' && req.form === undefined) {
      return this.kit.errorPage(400, 'invalid_request', 'The authorization request must be sent as a form (application/x-www-form-urlencoded).');
    }
    const sent = new RequestParams(req.method === 'POST' ? req.form : req.query);
    const clientId = sent.get('client_id');
    // No registered client id is longer or carries a control character; such ids are not looked up (issue #14).
    const client = clientId !== undefined && clientId.length <= 128 && !hasForbiddenCharacters(clientId) ? await this.directory.get(clientId) : null;
    const requestUri = sent.get('request_uri');
    let params = sent;
    let pushedLaunch: ResolvedLaunch | null = null;
    if (client && !sent.repeated.includes('client_id') && (sent.repeated.includes('request_uri') || (requestUri !== undefined && isPushedRequestUri(requestUri)))) {
      if (sent.repeated.includes('request_uri')) return this.kit.errorPage(400, 'invalid_request', 'The request_uri parameter is repeated.');
      const pushed = await this.takePushed(requestUri!, client);
      // RFC 9101 §6.2 `invalid_request_uri`, as a page: no redirect URI is known.
      if (!pushed) return this.kit.errorPage(400, 'invalid_request_uri', 'The request_uri is unknown, expired or already used, or another application pushed it. Go back to the application and start again.');
      // RFC 9126 §4: the pushed parameters only; whatever else came beside client_id is ignored.
      params = new RequestParams({ ...pushed.params, client_id: client.client_id });
      pushedLaunch = pushed.launch;
    } else if (client && pushRequired(client, this.config.REQUIRE_PAR === 'true')) {
      // RFC 9126 §5, §6: this client (or every client) must push its request first; the redirect URI is not vouched for.
      return this.kit.errorPage(400, 'invalid_request', 'This application must push its authorization request first (pushed authorization requests, RFC 9126).');
    }
    let verified: VerifiedRedirect;
    try {
      verified = verifyClientAndRedirect(params, client);
    } catch (err: unknown) {
      // RFC 6749 §4.1.2.1: until the client and its redirect URI are known good, an error is a page.
      if (err instanceof OAuthError && !err.redirectable) return this.kit.errorPage(400, err.error, err.description ?? err.error);
      throw err;
    }
    try {
      const request = validateAuthorizationRequest(params, verified, this.config.FHIR_BASE_URL);
      // Who may open the launch (its binding, the patient) is checked once someone signed in (InteractionFlow).
      // A pushed request's launch was resolved and spent when it was pushed.
      const launch = request.launch === undefined ? null : (pushedLaunch ?? (await this.launches.consume(request.launch, request.clientId)));
      return await this.toInteraction(request, launch, req);
    } catch (err: unknown) {
      // RFC 6749 §4.1.2.1: from here on every error goes back to the verified redirect URI.
      if (!(err instanceof OAuthError)) throw err;
      const state = echoableState(params);
      // RFC 9700 §4.11.2 (BCP-02): nobody signed in here, so the redirect URI is not yet vouched for by a person;
      // the sign-in page comes first and the error after it. prompt=none allows no page (OIDC Core §3.1.2.1).
      if (params.get('prompt')?.split(' ').includes('none') !== true && !(await this.signedIn(req))) {
        return this.toInteraction(deferredRequest(verified, err, state), null, req);
      }
      return seeOther(errorRedirect(verified.redirectUri, err, state, this.config.ISSUER));
    }
  }

  /** RFC 9126 §4: the pushed request a `request_uri` names, taken for its one use by the client that pushed it, before it expired. */
  private async takePushed(requestUri: string, client: ClientRecord): Promise<TakenPushedRequest | null> {
    const idHash = requestUriHash(requestUri);
    return idHash === null ? null : this.pushedRequests.take(idHash, client.client_id);
  }

  /**
   * The interaction of a valid request. When it can end at once (a live session whose consent covers the
   * request, or `prompt=none`), it ends here and the browser goes straight back to the client, as it would
   * from the interaction's first page one redirect later; otherwise the browser goes on to that page.
   */
  private async toInteraction(request: AuthorizationRequest, launch: ResolvedLaunch | null, req: WebRequest): Promise<WebResponse> {
    // A launch made at the launcher on an EHR's trusted word signs its practitioner in (no second sign-in).
    const session = await this.ehrSignIn.sessionFor(launch, request);
    const mayEndHere = session !== null || req.cookies[SESSION_COOKIE] !== undefined || request.prompt === 'none';
    const { interaction, binding } = await this.interactions.start(request, launch, { unsaved: mayEndHere });
    try {
      // Unsaved here (a session makes it one that may end at once): the transition changes this very copy.
      if (session) await this.interactions.signIn(interaction.id, session.userId, session.idHash, session.authenticatedAt);
      if (mayEndHere) {
        const step = await this.flow.advance(interaction, req);
        if (step.kind === 'redirect') return seeOther(step.location);
        await this.interactions.save(interaction);
      }
    } finally {
      this.interactions.forget(interaction);
    }
    const path = interactionPath(interaction.id);
    return seeOther(path, [this.kit.cookie(INTERACTION_COOKIE, binding, { path, maxAge: this.config.INTERACTION_TTL_SECONDS })]);
  }

  /** Whether this browser carries the live session of an active user. */
  private async signedIn(req: WebRequest): Promise<boolean> {
    const session = await this.sessions.find(req.cookies[SESSION_COOKIE]);
    if (!session) return false;
    const user = await this.users.byId(session.userId);
    return user !== null && !user.disabled;
  }
}
