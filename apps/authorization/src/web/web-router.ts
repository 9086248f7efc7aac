import { Injectable, Logger } from '@nestjs/common';
import { WebRouteTable, type AppAction, type WebRequest, type WebResponse, type WebRouteName } from '#contracts';
import { OAuthError } from '#oauth';
import { LoginCallbackEndpoint } from './login-callback.endpoint.js';
import { AccountEndpoint } from './account.endpoint.js';
import { AdminConsoleEndpoint } from './admin-console.endpoint.js';
import { AdminGrantsEndpoint } from './admin-grants.endpoint.js';
import { AdminUsersEndpoint } from './admin-users.endpoint.js';
import { AdminAppsEndpoint } from './apps/admin-apps.endpoint.js';
import { AssetsEndpoint } from './assets.endpoint.js';
import { AuthorizeEndpoint } from './authorize.endpoint.js';
import { InteractionEndpoint } from './interaction.endpoint.js';
import { LaunchEndpoint } from './launch.endpoint.js';
import { LauncherEndpoint } from './launcher/launcher.endpoint.js';
import { LogoutEndpoint } from './logout.endpoint.js';
import { PageKit } from './page-kit.js';
import { UserinfoEndpoint } from './userinfo.endpoint.js';
import { jsonResponse, oauthErrorJson, unframeable } from './web-response.js';

type Handler = (req: WebRequest, params: Readonly<Record<string, string>>) => Promise<WebResponse> | WebResponse;

/** The routes this service answers: `WebRoutes` marked `forwarded`, each parameter as its route says. */
const FORWARDED = WebRouteTable.of(true, (route) => route.forwarded === true);

/**
 * The pages an EHR listed in EHR_ORIGINS may frame: the authorization flow (an app opened inside the EHR) and the
 * EHR launcher. Every other page (administration, account) is never framed (`frame-ancestors 'none'`).
 */
const FRAMEABLE: ReadonlySet<WebRouteName> = new Set<WebRouteName>(['authorize', 'interaction', 'interactionLogin', 'interactionStep', 'loginCallback', 'logout', 'launcher', 'launcherLogin']);

/** Routes the browser-facing requests the gateway forwards (`authorization.v1.web`), as `WebRoutes` describes them. */
@Injectable()
export class WebRouter {
  private readonly logger = new Logger('WebRouter');
  private readonly handlers: Partial<Record<WebRouteName, Handler>>;

  constructor(
    private readonly kit: PageKit,
    authorize: AuthorizeEndpoint,
    interaction: InteractionEndpoint,
    launch: LaunchEndpoint,
    userinfo: UserinfoEndpoint,
    logout: LogoutEndpoint,
    adminUsers: AdminUsersEndpoint,
    adminGrants: AdminGrantsEndpoint,
    adminConsole: AdminConsoleEndpoint,
    account: AccountEndpoint,
    assets: AssetsEndpoint,
    loginCallback: LoginCallbackEndpoint,
    apps: AdminAppsEndpoint,
    launcher: LauncherEndpoint,
  ) {
    this.handlers = {
      authorize: (req) => authorize.handle(req),
      interaction: (req, p) => interaction.handle(req, p['id']!, undefined),
      interactionLogin: (req, p) => interaction.handle(req, p['id']!, 'login'),
      interactionStep: (req, p) => interaction.handle(req, p['id']!, p['step']),
      loginCallback: (req) => loginCallback.handle(req),
      logout: (req) => logout.handle(req),
      launch: (req) => launch.handle(req),
      launcher: (req) => launcher.handle(req),
      launcherLogin: (req) => launcher.login(req),
      userinfo: (req) => userinfo.handle(req),
      adminUsers: (req) => adminUsers.handle(req, undefined),
      adminUser: (req, p) => adminUsers.handle(req, p['id']),
      adminUserJwtBearerClients: (req, p) => adminUsers.jwtBearerClients(req, p['id']!),
      adminConsole: (req) => adminConsole.handle(req, 'page'),
      adminLogin: (req) => adminConsole.handle(req, 'login'),
      adminLogout: (req) => adminConsole.handle(req, 'logout'),
      adminGrantRevoke: (req, p) => adminConsole.handle(req, 'revoke', p['id']),
      account: (req) => account.handle(req, 'page'),
      accountLogin: (req) => account.handle(req, 'login'),
      accountLogout: (req) => account.handle(req, 'logout'),
      accountGrantRevoke: (req, p) => account.handle(req, 'revoke', p['id']),
      adminApps: (req) => apps.list(req),
      adminAppNew: (req) => apps.form(req),
      adminApp: (req, p) => apps.detail(req, p['clientId']!),
      adminAppEdit: (req, p) => apps.form(req, p['clientId']),
      adminAppAction: (req, p) => apps.act(req, p['clientId']!, p['action'] as AppAction),
      adminClientRevokeAll: (req, p) => adminGrants.revokeAll(req, p['id']!),
      adminGrants: (req) => adminGrants.handle(req, undefined),
      adminGrant: (req, p) => adminGrants.handle(req, p['id']),
      asset: (_req, p) => (p['name'] === 'theme.css' ? assets.theme() : assets.suite()),
      smartStyle: () => assets.smartStyle(),
    };
    const unanswered = FORWARDED.names().filter((name) => !this.handlers[name]);
    if (unanswered.length > 0) throw new Error(`WebRouter: no handler for the forwarded routes ${unanswered.join(', ')}`);
  }

  async dispatch(req: WebRequest): Promise<WebResponse> {
    const matched = FORWARDED.match(req.path);
    const handler = matched && this.handlers[matched.name];
    if (matched && handler) {
      const { route } = matched;
      if (!(route.methods as readonly string[]).includes(req.method)) {
        return jsonResponse(405, { error: 'invalid_request', error_description: `${req.method} is not allowed here` }, { allow: route.methods.join(', ') });
      }
      const framing = FRAMEABLE.has(matched.name) ? (res: WebResponse) => res : unframeable;
      try {
        return framing(await handler(req, matched.params));
      } catch (err: unknown) {
        if (route.kind === 'api' && err instanceof OAuthError) return oauthErrorJson(err);
        if (err instanceof OAuthError) return framing(this.kit.errorPage(err.status >= 500 ? 503 : 400, err.error, err.description ?? 'The request could not be completed.'));
        this.logger.error(`${req.method} ${req.path} failed: ${(err as Error).stack ?? String(err)}`);
        const message = 'The service is temporarily unavailable. Try again in a moment.';
        return route.kind === 'api'
          ? jsonResponse(503, { error: 'temporarily_unavailable', error_description: message })
          : framing(this.kit.errorPage(503, 'temporarily_unavailable', message));
      }
    }
    return jsonResponse(404, { error: 'not_found', error_description: 'no such endpoint' });
  }
}
