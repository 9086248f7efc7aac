import { Injectable } from '@nestjs/common';
import type { WebRequest, WebResponse } from '#contracts';
import { ClientDirectory, PublicKeyRing } from '#nest';
import { generateOpaqueToken, RequestParams } from '#oauth';
import { AuthorizationConfig } from '../config/authorization.config.js';
import { SESSION_COOKIE, SessionService } from '../users/session.service.js';
import { csrfMatches, PageKit } from './page-kit.js';
import { formTargetOf, seeOther, withQuery } from './web-response.js';

const LOGOUT_CSRF_COOKIE = 'smart_logout';
/** OIDC RP-Initiated Logout §2: an expired ID token is still a fine hint of who is logging out. */
const HINT_MAX_AGE_SECONDS = 30 * 24 * 3600;

/**
 * OpenID Connect RP-Initiated Logout 1.0 at `end_session_endpoint` (/logout).
 * With a valid `id_token_hint` the session ends at once; without one the
 * person confirms on a page (anti-CSRF token in a cookie and the form).
 * `post_logout_redirect_uri` must be registered by the client, exactly.
 */
@Injectable()
export class LogoutEndpoint {
  constructor(
    private readonly config: AuthorizationConfig,
    private readonly keys: PublicKeyRing,
    private readonly directory: ClientDirectory,
    private readonly sessions: SessionService,
    private readonly kit: PageKit,
  ) {}

  async handle(req: WebRequest): Promise<WebResponse> {
    const params = new RequestParams(req.method === 'POST' ? req.form : req.query);
    if (params.repeated.length > 0) return this.kit.errorPage(400, 'invalid_request', `The ${params.repeated[0]!.slice(0, 64)} parameter is repeated.`);
    const hint = params.get('id_token_hint');
    let hintClientId: string | undefined;
    let hintSubject: string | undefined;
    if (hint !== undefined) {
      try {
        const { claims } = await this.keys.verify(hint, { issuer: this.config.ISSUER, typ: 'JWT', clockToleranceSeconds: HINT_MAX_AGE_SECONDS });
        const aud = Array.isArray(claims.aud) ? claims.aud[0] : claims.aud;
        if (typeof aud !== 'string' || typeof claims.sub !== 'string') throw new Error('not an ID token');
        hintClientId = aud;
        hintSubject = claims.sub;
      } catch {
        return this.kit.errorPage(400, 'invalid_request', 'The id_token_hint is not an ID token issued here.');
      }
    }
    const clientIdParam = params.get('client_id');
    if (hintClientId && clientIdParam && hintClientId !== clientIdParam) return this.kit.errorPage(400, 'invalid_request', 'client_id does not match the id_token_hint.');
    const clientId = hintClientId ?? clientIdParam;
    const client = clientId && clientId.length <= 128 ? await this.directory.get(clientId) : null;
    const redirect = params.get('post_logout_redirect_uri');
    if (redirect !== undefined && (!client || !(client.metadata.post_logout_redirect_uris ?? []).includes(redirect))) {
      return this.kit.errorPage(400, 'invalid_request', 'post_logout_redirect_uri is not registered for this application.');
    }
    const state = params.get('state');

    const confirmed = req.method === 'POST' && csrfMatches(params.get('csrf'), req.cookies[LOGOUT_CSRF_COOKIE] ?? '') && Boolean(req.cookies[LOGOUT_CSRF_COOKIE]);
    // RP-Initiated Logout §2: the hint is a reason to sign out at once only when it names the person signed in here;
    // anyone's (even an expired) ID token would otherwise sign out whoever opens a forged link.
    const session = await this.sessions.find(req.cookies[SESSION_COOKIE]);
    const hintNamesSession = hint !== undefined && (!session || session.userId === hintSubject);
    if (!hintNamesSession && !confirmed) {
      const csrf = generateOpaqueToken(24);
      const hidden: Record<string, string> = {};
      if (clientId && client) hidden.client_id = clientId;
      if (redirect) hidden.post_logout_redirect_uri = redirect;
      if (state) hidden.state = state;
      const body = this.kit.renderer.logout({
        title: 'Sign out',
        stylesheets: this.kit.stylesheets,
        action: '/logout',
        csrf,
        hidden,
        ...(client ? { client: this.kit.clientView(client) } : {}),
      });
      return this.kit.page(200, body, redirect ? [formTargetOf(redirect)] : [], [
        this.kit.cookie(LOGOUT_CSRF_COOKIE, csrf, { path: '/logout', sameSite: 'Strict', maxAge: 900 }),
      ]);
    }

    if (session) await this.sessions.end(session.idHash);
    const cookies = [this.kit.clearCookie(SESSION_COOKIE, '/'), this.kit.clearCookie(LOGOUT_CSRF_COOKIE, '/logout')];
    if (redirect) return seeOther(withQuery(redirect, { state }), cookies);
    const body = this.kit.renderer.signedOut({ title: 'Signed out', stylesheets: this.kit.stylesheets, message: 'You are signed out. You can close this window.' });
    return this.kit.page(200, body, [], cookies);
  }
}
