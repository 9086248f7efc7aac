import { Injectable, Logger } from '@nestjs/common';
import type { WebRequest, WebResponse } from '#contracts';
import { OAuthError } from '#oauth';
import { LoginCallbackEndpoint } from '../upstream/login-callback.endpoint.js';
import { AccountEndpoint } from './account.endpoint.js';
import { AdminConsoleEndpoint } from './admin-console.endpoint.js';
import { AdminGrantsEndpoint } from './admin-grants.endpoint.js';
import { AdminUsersEndpoint } from './admin-users.endpoint.js';
import { AssetsEndpoint } from './assets.endpoint.js';
import { AuthorizeEndpoint } from './authorize.endpoint.js';
import { InteractionEndpoint } from './interaction.endpoint.js';
import { LaunchEndpoint } from './launch.endpoint.js';
import { LogoutEndpoint } from './logout.endpoint.js';
import { PageKit } from './page-kit.js';
import { UserinfoEndpoint } from './userinfo.endpoint.js';
import { jsonResponse, oauthErrorJson } from './web-response.js';

type Handler = (req: WebRequest, match: RegExpExecArray) => Promise<WebResponse> | WebResponse;

interface Route {
  pattern: RegExp;
  methods: string[];
  /** Pages answer errors with an HTML page; APIs with OAuth error JSON. */
  kind: 'page' | 'api';
  handler: Handler;
}

/** Routes the browser-facing requests the gateway forwards (`authorization.v1.web`). */
@Injectable()
export class WebRouter {
  private readonly logger = new Logger('WebRouter');
  private readonly routes: Route[];

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
  ) {
    this.routes = [
      { pattern: /^\/authorize$/, methods: ['GET', 'POST'], kind: 'page', handler: (req) => authorize.handle(req) },
      { pattern: /^\/interaction\/([A-Za-z0-9_-]{1,64})(?:\/(login|patient|consent))?$/, methods: ['GET', 'POST'], kind: 'page', handler: (req, m) => interaction.handle(req, m[1]!, m[2]) },
      // The upstream OpenID Connect provider's redirect URI (OIDC Core §3.1.2.5).
      { pattern: /^\/login\/callback$/, methods: ['GET'], kind: 'page', handler: (req) => loginCallback.handle(req) },
      { pattern: /^\/logout$/, methods: ['GET', 'POST'], kind: 'page', handler: (req) => logout.handle(req) },
      { pattern: /^\/launch$/, methods: ['POST'], kind: 'api', handler: (req) => launch.handle(req) },
      { pattern: /^\/userinfo$/, methods: ['GET', 'POST'], kind: 'api', handler: (req) => userinfo.handle(req) },
      { pattern: /^\/admin\/users$/, methods: ['GET', 'POST'], kind: 'api', handler: (req) => adminUsers.handle(req, undefined) },
      { pattern: /^\/admin\/users\/([A-Za-z0-9-]{1,64})$/, methods: ['GET', 'PATCH', 'PUT', 'DELETE'], kind: 'api', handler: (req, m) => adminUsers.handle(req, m[1]) },
      { pattern: /^\/admin\/users\/([A-Za-z0-9-]{1,64})\/jwt-bearer-clients$/, methods: ['GET', 'PUT'], kind: 'api', handler: (req, m) => adminUsers.jwtBearerClients(req, m[1]!) },
      { pattern: /^\/admin$/, methods: ['GET'], kind: 'page', handler: (req) => adminConsole.handle(req, 'page') },
      { pattern: /^\/admin\/login$/, methods: ['POST'], kind: 'page', handler: (req) => adminConsole.handle(req, 'login') },
      { pattern: /^\/admin\/logout$/, methods: ['POST'], kind: 'page', handler: (req) => adminConsole.handle(req, 'logout') },
      { pattern: /^\/admin\/grants\/([A-Za-z0-9-]{1,64})\/revoke$/, methods: ['POST'], kind: 'page', handler: (req, m) => adminConsole.handle(req, 'revoke', m[1]) },
      { pattern: /^\/account$/, methods: ['GET'], kind: 'page', handler: (req) => account.handle(req, 'page') },
      { pattern: /^\/account\/login$/, methods: ['POST'], kind: 'page', handler: (req) => account.handle(req, 'login') },
      { pattern: /^\/account\/logout$/, methods: ['POST'], kind: 'page', handler: (req) => account.handle(req, 'logout') },
      { pattern: /^\/account\/grants\/([A-Za-z0-9-]{1,64})\/revoke$/, methods: ['POST'], kind: 'page', handler: (req, m) => account.handle(req, 'revoke', m[1]) },
      { pattern: /^\/admin\/clients\/([A-Za-z0-9._~-]{1,128})\/revoke-all$/, methods: ['POST'], kind: 'api', handler: (req, m) => adminGrants.revokeAll(req, m[1]!) },
      { pattern: /^\/admin\/grants$/, methods: ['GET'], kind: 'api', handler: (req) => adminGrants.handle(req, undefined) },
      { pattern: /^\/admin\/grants\/([A-Za-z0-9-]{1,64})$/, methods: ['GET', 'DELETE'], kind: 'api', handler: (req, m) => adminGrants.handle(req, m[1]) },
      { pattern: /^\/assets\/suite\.css$/, methods: ['GET'], kind: 'api', handler: () => assets.suite() },
      { pattern: /^\/assets\/theme\.css$/, methods: ['GET'], kind: 'api', handler: () => assets.theme() },
      { pattern: /^\/smart-style\.json$/, methods: ['GET'], kind: 'api', handler: () => assets.smartStyle() },
    ];
  }

  async dispatch(req: WebRequest): Promise<WebResponse> {
    for (const route of this.routes) {
      const match = route.pattern.exec(req.path);
      if (!match) continue;
      if (!route.methods.includes(req.method)) {
        return jsonResponse(405, { error: 'invalid_request', error_description: `${req.method} is not allowed here` }, { allow: route.methods.join(', ') });
      }
      try {
        return await route.handler(req, match);
      } catch (err: unknown) {
        if (route.kind === 'api' && err instanceof OAuthError) return oauthErrorJson(err);
        if (err instanceof OAuthError) return this.kit.errorPage(err.status >= 500 ? 503 : 400, err.error, err.description ?? 'The request could not be completed.');
        this.logger.error(`${req.method} ${req.path} failed: ${(err as Error).stack ?? String(err)}`);
        const message = 'The service is temporarily unavailable. Try again in a moment.';
        return route.kind === 'api'
          ? jsonResponse(503, { error: 'temporarily_unavailable', error_description: message })
          : this.kit.errorPage(503, 'temporarily_unavailable', message);
      }
    }
    return jsonResponse(404, { error: 'not_found', error_description: 'no such endpoint' });
  }
}
