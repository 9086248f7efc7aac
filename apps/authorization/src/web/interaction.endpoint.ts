import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { WebRequest, WebResponse } from '#contracts';
import { inTransaction, ClientDirectory } from '#nest';
import { RequestParams } from '#oauth';
import { InteractionFlow, interactionPath } from '../flow/interaction-flow.service.js';
import { ConsentStore } from '../flow/consent.store.js';
import { consentedScope, isMandatoryScope } from '../flow/granular-scopes.js';
import { INTERACTION_COOKIE, InteractionStore } from '../flow/interaction.store.js';
import { EventRecorder } from '../grants/event-recorder.js';
import type { InteractionEntity } from '../persistence/entities/interaction.entity.js';
import { AuthorizationConfig } from '../config/authorization.config.js';
import { SESSION_COOKIE } from '../users/session.service.js';
import { UserDirectory } from '../users/user-directory.service.js';
import { PasswordLogin } from '../users/password-login.service.js';
import { EXPIRED, InteractionPages } from './interaction-pages.js';
import { csrfMatches, PageKit } from './page-kit.js';
import { seeOther } from './web-response.js';

const WRONG_CREDENTIALS = 'The username or password is incorrect.';
const THROTTLED = 'Too many failed sign-in attempts. Wait a few minutes and try again.';

/** The pages of an interaction: GET shows the next step; POSTs take login, patient choice and consent. */
@Injectable()
export class InteractionEndpoint {
  constructor(
    private readonly config: AuthorizationConfig,
    private readonly flow: InteractionFlow,
    private readonly interactions: InteractionStore,
    private readonly directory: ClientDirectory,
    private readonly users: UserDirectory,
    private readonly passwords: PasswordLogin,
    private readonly consents: ConsentStore,
    private readonly events: EventRecorder,
    private readonly kit: PageKit,
    private readonly pages: InteractionPages,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  async handle(req: WebRequest, id: string, step: string | undefined): Promise<WebResponse> {
    const ix = await this.interactions.find(id, req.cookies[INTERACTION_COOKIE]);
    if (!ix) return this.kit.errorPage(400, 'invalid_request', EXPIRED);
    if (req.method === 'GET' && step === undefined) return this.pages.render(await this.flow.advance(ix, req), ix, req);
    if (req.method !== 'POST' || step === undefined) return this.kit.errorPage(405, 'invalid_request', 'This page does not accept that request.');
    // Every form carries the interaction's anti-CSRF token (and the binding cookie, SameSite=Lax, was checked above).
    if (!csrfMatches(new RequestParams(req.form).get('csrf'), ix.csrf)) return this.kit.errorPage(403, 'invalid_request', 'The form could not be verified. Go back to the application and start again.');
    // A failed request only signs the person in before its error goes back; it has no patient or consent step.
    if (ix.request.error && step !== 'login') return this.pages.render(await this.flow.advance(ix, req), ix, req);
    switch (step) {
      case 'login':
        // With an upstream OpenID Connect provider, it alone signs people in.
        if (this.config.UPSTREAM_OIDC_ISSUER !== undefined) return this.kit.errorPage(400, 'invalid_request', 'Sign-in happens at the identity provider; this server takes no passwords.');
        return this.login(ix, req);
      case 'patient':
        return this.choosePatient(ix, req);
      case 'consent':
        return this.consent(ix, req);
      default:
        return this.kit.errorPage(404, 'invalid_request', 'There is no such page.');
    }
  }

  private async login(ix: InteractionEntity, req: WebRequest): Promise<WebResponse> {
    const form = new RequestParams(req.form);
    const username = (form.get('username') ?? '').trim();
    const password = form.get('password') ?? '';
    const client = await this.directory.get(ix.clientId);
    if (!client) return this.kit.errorPage(400, 'invalid_client', 'This application is no longer registered.');
    const login = await this.passwords.attempt({ username, password, remoteAddress: req.remoteAddress, clientId: ix.clientId, requestId: req.requestId });
    if (!login.ok) {
      if (login.reason === 'throttled') return this.pages.loginPage(ix, client, [], { username, error: THROTTLED }, 429);
      // One message for unknown users, wrong passwords and disabled accounts: no user enumeration.
      return this.pages.loginPage(ix, client, [], { username, error: WRONG_CREDENTIALS }, 401);
    }
    const { token, session, user } = login;
    await this.interactions.signIn(ix.id, user.id, session.idHash, session.authenticatedAt);
    const cookie = this.kit.cookie(SESSION_COOKIE, token, { path: '/', maxAge: this.config.SESSION_TTL_SECONDS });
    return seeOther(interactionPath(ix.id), [cookie]);
  }

  private async choosePatient(ix: InteractionEntity, req: WebRequest): Promise<WebResponse> {
    if (!ix.userId) return seeOther(interactionPath(ix.id));
    const user = await this.users.byId(ix.userId);
    const client = await this.directory.get(ix.clientId);
    if (!user || !client) return this.kit.errorPage(400, 'invalid_request', EXPIRED);
    const chosen = new RequestParams(req.form).get('patient');
    if (!chosen || !user.patients.some((p) => p.id === chosen)) return this.pages.pickerPage(ix, client, user, [], 'Choose one of the patients listed.');
    await this.interactions.choosePatient(ix.id, chosen);
    return seeOther(interactionPath(ix.id));
  }

  private async consent(ix: InteractionEntity, req: WebRequest): Promise<WebResponse> {
    if (!ix.userId || (this.flow.needsPatient(ix) && !ix.patient)) return seeOther(interactionPath(ix.id));
    const decision = new RequestParams(req.form).get('decision');
    const requested = ix.request.scope;
    if (decision === 'deny') {
      await this.events.record('consent.denied', { client_id: ix.clientId, user_id: ix.userId, requested_scope: requested }, req.requestId);
      return this.pages.render(await this.flow.fail(ix, { error: 'access_denied', description: 'the user denied the request' }), ix, req);
    }
    if (decision !== 'approve') return seeOther(interactionPath(ix.id));
    // What is granted is exactly what stayed ticked (category sub-scopes included), plus the mandatory scopes;
    // never anything not offered.
    const granted = consentedScope(requested, new Set(RequestParams.all(req.form, 'scope')), isMandatoryScope);
    const userId = ix.userId;
    const event = await inTransaction(this.dataSource, async (manager) => {
      await this.consents.remember(userId, ix.clientId, granted.toString(), manager);
      return this.events.add(manager, 'consent.granted', { client_id: ix.clientId, user_id: userId, requested_scope: requested, granted_scope: granted.toString() }, req.requestId);
    });
    this.events.soon(event);
    return this.pages.render(await this.flow.finish(ix, granted.toString(), req.requestId), ix, req);
  }
}
