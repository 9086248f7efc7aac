import { Injectable, Logger } from '@nestjs/common';
import * as oidc from 'openid-client';
import type { WebRequest, WebResponse } from '#contracts';
import { RequestParams, secretMatchesHash, sha256Hex } from '#oauth';
import { AuthorizationConfig } from '../config/authorization.config.js';
import { InteractionFlow, interactionPath } from '../flow/interaction-flow.service.js';
import { InteractionStore } from '../flow/interaction.store.js';
import { EventRecorder } from '../grants/event-recorder.js';
import type { InteractionEntity } from '../persistence/entities/interaction.entity.js';
import { SESSION_COOKIE, SessionService } from '../users/session.service.js';
import { continuePage } from './continue-page.js';
import { UpstreamAccounts } from '../upstream/upstream-accounts.js';
import { claimValue, clientErrorFor } from '../upstream/upstream-claims.js';
import { UpstreamLogin } from '../upstream/upstream-login.service.js';
import { UPSTREAM_CALLBACK_PATH, UpstreamProvider } from '../upstream/upstream-provider.js';
import { InteractionPages } from './interaction-pages.js';
import { PageKit } from './page-kit.js';
import { seeOther } from './web-response.js';

const EXPIRED = 'This sign-in has expired or was started in another browser. Go back to the application and start again.';

/** Who the upstream provider signed in. */
interface UpstreamIdentity {
  subject: string;
  /** The UPSTREAM_OIDC_USER_CLAIM value, from the ID token or else userinfo. */
  value: string | undefined;
  authTime: Date;
}

/**
 * GET /login/callback: the upstream provider's authorization response
 * (OIDC Core §3.1.2.5/§3.1.2.6). The interaction is found by its `state`,
 * and only the browser holding its binding cookie may finish it. The code
 * is exchanged and the ID token validated by openid-client (OIDC Core
 * §3.1.3.7: signature, iss, aud, exp, nonce; RFC 9207 iss; PKCE), the user
 * claim mapped to a local user, and the interaction goes on to its
 * patient and consent steps with a local session (or, on failure, the error
 * goes back to the client).
 */
@Injectable()
export class LoginCallbackEndpoint {
  private readonly logger = new Logger('UpstreamLogin');

  constructor(
    private readonly config: AuthorizationConfig,
    private readonly upstream: UpstreamProvider,
    private readonly accounts: UpstreamAccounts,
    private readonly interactions: InteractionStore,
    private readonly flow: InteractionFlow,
    private readonly sessions: SessionService,
    private readonly events: EventRecorder,
    private readonly kit: PageKit,
    private readonly pages: InteractionPages,
  ) {}

  async handle(req: WebRequest): Promise<WebResponse> {
    if (!this.upstream.enabled) return this.kit.errorPage(404, 'invalid_request', 'There is no such page.');
    const params = new RequestParams(req.query);
    const state = params.get('state');
    // RFC 6749 §10.12: an unknown, replayed or foreign state never leads anywhere.
    if (!state || state.length > 512 || params.repeated.length > 0) return this.kit.errorPage(400, 'invalid_request', EXPIRED);
    const stateHash = sha256Hex(state);
    const ix = await this.interactions.findByUpstreamState(stateHash);
    const cookieName = ix ? UpstreamLogin.cookieName(ix.id) : undefined;
    const binding = cookieName ? req.cookies[cookieName] : undefined;
    if (!ix || !cookieName || !binding || !secretMatchesHash(binding, ix.bindingHash)) return this.kit.errorPage(400, 'invalid_request', EXPIRED);
    const { upstreamCodeVerifier: verifier, upstreamNonce: nonce } = ix;
    if (!verifier || !nonce || !(await this.interactions.endUpstreamLogin(ix.id, stateHash))) return this.kit.errorPage(400, 'invalid_request', EXPIRED);

    const cookies = [this.kit.clearCookie(cookieName, UPSTREAM_CALLBACK_PATH)];
    const base = { client_id: ix.clientId, method: 'upstream_oidc' as const, remote_address: req.remoteAddress };
    const upstreamError = params.get('error');
    if (upstreamError !== undefined) {
      await this.events.record('login.failed', base, req.requestId);
      const { error, description } = clientErrorFor(upstreamError);
      return this.onward(await this.pages.render(await this.flow.fail(ix, { error, description }), ix, req, cookies));
    }

    let identity: UpstreamIdentity;
    try {
      identity = await this.identify(ix, req, state, verifier, nonce);
    } catch (err: unknown) {
      this.logger.warn(`upstream login of interaction ${ix.id} failed: ${(err as Error).message}`);
      await this.events.record('login.failed', base, req.requestId);
      const unavailable = UpstreamProvider.isNetworkFailure(err) || (err as { error?: unknown }).error === 'temporarily_unavailable';
      return this.onward(
        unavailable
          ? await this.pages.render(await this.flow.fail(ix, { error: 'temporarily_unavailable', description: 'the identity provider cannot be reached; try again in a moment' }), ix, req, cookies)
          : await this.pages.render(await this.flow.fail(ix, { error: 'server_error', description: 'the sign-in at the identity provider could not be verified' }), ix, req, cookies),
      );
    }

    if (identity.value === undefined) this.logger.warn(`upstream subject ${identity.subject} has no usable ${this.upstream.userClaim} claim`);
    const user = identity.value === undefined ? null : await this.accounts.find(identity.value);
    if (!user || user.disabled) {
      await this.events.record('login.failed', { ...base, ...(user ? { user_id: user.id, reason: 'disabled' as const } : { reason: 'invalid_credentials' as const }) }, req.requestId);
      // One answer for an unknown and a disabled account: no user enumeration.
      return this.onward(await this.pages.render(await this.flow.fail(ix, { error: 'access_denied', description: 'the user could not be signed in' }), ix, req, cookies));
    }
    const { token, session } = await this.sessions.create(user.id);
    await this.interactions.signIn(ix.id, user.id, session.idHash, identity.authTime);
    await this.events.record('login.succeeded', { ...base, user_id: user.id }, req.requestId);
    cookies.push(this.kit.cookie(SESSION_COOKIE, token, { path: '/', maxAge: this.config.SESSION_TTL_SECONDS }));
    return this.onward(seeOther(interactionPath(ix.id), cookies));
  }

  /** A redirect as a page that navigates by itself: see {@link continuePage}. */
  private onward(redirect: WebResponse): WebResponse {
    const location = redirect.headers.location;
    return redirect.status === 303 && location ? continuePage(location, this.kit.stylesheets, this.kit.frameAncestors, redirect.cookies) : redirect;
  }

  /** Redeems the code and validates the ID token; reads the user claim from it, or else from userinfo (OIDC Core §5.3). */
  private async identify(ix: InteractionEntity, req: WebRequest, state: string, verifier: string, nonce: string): Promise<UpstreamIdentity> {
    const configuration = await this.upstream.configuration();
    const current = new URL(this.upstream.redirectUri);
    for (const [name, value] of Object.entries(req.query)) for (const v of Array.isArray(value) ? value : [value]) current.searchParams.append(name, v);
    const tokens = await oidc.authorizationCodeGrant(configuration, current, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
      // OIDC Core §3.1.2.1: max_age was passed on, so auth_time must honour it.
      ...(ix.request.maxAge !== undefined ? { maxAge: ix.request.maxAge } : {}),
    });
    const claims = tokens.claims()!;
    let value = claimValue(claims, this.upstream.userClaim);
    if (value === undefined && configuration.serverMetadata().userinfo_endpoint) {
      // OIDC Core §5.3.2: the userinfo `sub` must be the ID token's.
      value = claimValue(await oidc.fetchUserInfo(configuration, tokens.access_token, claims.sub), this.upstream.userClaim);
    }
    const authTime = typeof claims.auth_time === 'number' ? new Date(Math.min(claims.auth_time * 1000, Date.now())) : new Date();
    return { subject: claims.sub, value, authTime };
  }
}
