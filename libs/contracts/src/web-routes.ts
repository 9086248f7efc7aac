/**
 * The public HTTP surface of the suite, described once: every path the
 * gateway serves, its methods, whether it is a page (errors are HTML) or an
 * API (errors are OAuth JSON), CORS (RFC 9700 §2.6: metadata, JWKS, token,
 * pushed authorization requests, registration and userinfo; never the authorization endpoint or its pages),
 * whether the edge marks answers `no-store` (RFC 6749 §5.1, RFC 7591 §3.2.1)
 * or leaves caching to the service, the gateway rate-limit bucket it counts
 * against, and whether it is forwarded whole to the authorization service
 * (`authorization.v1.web`).
 *
 * The gateway's edge policy, its forwarding controller and error pages, and
 * the authorization service's router all read this table.
 */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A gateway rate-limit bucket (docs/operations.md "Rate limits"). */
export type RateLimitBucket = 'token' | 'introspect' | 'register' | 'login';

export interface WebRoute {
  /** Path template: static segments and `:name` parameters (one segment each). */
  readonly path: string;
  readonly methods: readonly HttpMethod[];
  /** `page`: a browser navigates here, failures are HTML pages; `api`: failures are OAuth JSON. */
  readonly kind: 'page' | 'api';
  readonly cors: boolean;
  /** `no-store`: the edge adds `Cache-Control: no-store` and `Pragma: no-cache`; `service`: the answer's own headers decide. */
  readonly cache: 'no-store' | 'service';
  readonly rateLimit?: RateLimitBucket;
  /** Forwarded as it came over `authorization.v1.web`; the authorization service's router answers it. */
  readonly forwarded?: true;
  /**
   * What each parameter must look like for the authorization service's router to know the path (a regular
   * expression source, whole segment). The edge accepts any segment: a malformed one reaches the router, which
   * answers `404 not_found`.
   */
  readonly params?: Readonly<Record<string, string>>;
}

const api = (path: string, methods: HttpMethod[], options: Partial<WebRoute> = {}): WebRoute => ({ path, methods, kind: 'api', cors: false, cache: 'no-store', ...options });
const page = (path: string, methods: HttpMethod[], options: Partial<WebRoute> = {}): WebRoute => ({ path, methods, kind: 'page', cors: false, cache: 'no-store', forwarded: true, ...options });
const discovery = (path: string): WebRoute => api(path, ['GET'], { cors: true, cache: 'service' });

const INTERACTION_ID = '[A-Za-z0-9_-]{1,64}';
const USER_ID = '[A-Za-z0-9-]{1,64}';
const GRANT_ID = '[A-Za-z0-9-]{1,64}';
const CLIENT_ID = '[A-Za-z0-9._~-]{1,128}';
/** What an administrator does to a client from its page in the app directory (each a POST form). */
export const APP_ACTIONS = ['approve', 'reject', 'disable', 'enable', 'rotate-secret', 'revoke-grants', 'delete'] as const;
export type AppAction = (typeof APP_ACTIONS)[number];

/** Every public path, by name. Order matters only among templates that could match the same path: the first wins. */
export const WebRoutes = {
  openidConfiguration: discovery('/.well-known/openid-configuration'),
  smartConfiguration: discovery('/.well-known/smart-configuration'),
  oauthAuthorizationServer: discovery('/.well-known/oauth-authorization-server'),
  // UDAP Security 2.0 §2: UDAP server metadata (404 when UDAP is not configured); also under the FHIR base URL.
  udapConfiguration: discovery('/.well-known/udap'),
  jwks: api('/jwks', ['GET'], { cors: true, cache: 'service' }),
  token: api('/token', ['POST'], { cors: true, rateLimit: 'token' }),
  // RFC 9126 §2: pushed authorization requests, client-authenticated like /token and counted with it.
  par: api('/par', ['POST'], { cors: true, rateLimit: 'token' }),
  register: api('/register', ['POST'], { cors: true, rateLimit: 'register' }),
  // RFC 7592 client configuration endpoint.
  registeredClient: api('/register/:clientId', ['GET', 'PUT', 'DELETE'], { cors: true }),
  introspect: api('/introspect', ['POST'], { rateLimit: 'introspect' }),
  revoke: api('/revoke', ['POST']),
  healthLive: api('/health/live', ['GET']),
  healthReady: api('/health/ready', ['GET']),

  // The authorization endpoint (RFC 6749 §4.1.1; POST per SMART `authorize-post`) and the pages behind it.
  authorize: page('/authorize', ['GET', 'POST']),
  interaction: page('/interaction/:id', ['GET', 'POST'], { params: { id: INTERACTION_ID } }),
  interactionLogin: page('/interaction/:id/login', ['GET', 'POST'], { params: { id: INTERACTION_ID }, rateLimit: 'login' }),
  interactionStep: page('/interaction/:id/:step', ['GET', 'POST'], { params: { id: INTERACTION_ID, step: 'patient|consent' } }),
  // The upstream OpenID Connect provider's redirect URI (OIDC Core §3.1.2.5).
  loginCallback: page('/login/callback', ['GET']),
  logout: page('/logout', ['GET', 'POST']),
  launch: api('/launch', ['POST'], { forwarded: true }),
  // The EHR launcher (issue #16): a practitioner's list of launchable apps for one patient; choosing one is a POST.
  launcher: page('/launcher', ['GET', 'POST']),
  launcherLogin: page('/launcher/login', ['POST'], { rateLimit: 'login' }),
  // OIDC Core §5.3: called by browser apps with their access token.
  userinfo: api('/userinfo', ['GET', 'POST'], { cors: true, forwarded: true }),
  adminUsers: api('/admin/users', ['GET', 'POST'], { forwarded: true }),
  adminUser: api('/admin/users/:id', ['GET', 'PATCH', 'PUT', 'DELETE'], { forwarded: true, params: { id: USER_ID } }),
  // The clients allowed to use the JWT bearer grant for the user (RFC 7523 §2.1).
  adminUserJwtBearerClients: api('/admin/users/:id/jwt-bearer-clients', ['GET', 'PUT'], { forwarded: true, params: { id: USER_ID } }),
  // The grant administration page and its forms.
  adminConsole: page('/admin', ['GET']),
  adminLogin: page('/admin/login', ['POST'], { rateLimit: 'login' }),
  adminLogout: page('/admin/logout', ['POST']),
  adminGrantRevoke: page('/admin/grants/:id/revoke', ['POST'], { params: { id: GRANT_ID } }),
  adminGrants: api('/admin/grants', ['GET'], { forwarded: true }),
  adminGrant: api('/admin/grants/:id', ['GET', 'DELETE'], { forwarded: true, params: { id: GRANT_ID } }),
  adminClientRevokeAll: api('/admin/clients/:id/revoke-all', ['POST'], { forwarded: true, params: { id: CLIENT_ID } }),
  // The client directory for administrators, answered by the registration service.
  adminClients: api('/admin/clients', ['GET', 'POST']),
  adminClient: api('/admin/clients/:clientId', ['GET', 'PUT', 'DELETE']),
  adminClientApprove: api('/admin/clients/:clientId/approve', ['POST']),
  adminClientReject: api('/admin/clients/:clientId/reject', ['POST']),
  adminClientDisable: api('/admin/clients/:clientId/disable', ['POST']),
  adminClientEnable: api('/admin/clients/:clientId/enable', ['POST']),
  adminClientRotateSecret: api('/admin/clients/:clientId/rotate-secret', ['POST']),
  // The app directory pages (issue #16): the same sign-in, session and anti-CSRF cookie as /admin.
  adminApps: page('/admin/apps', ['GET']),
  adminAppNew: page('/admin/apps/new', ['GET', 'POST']),
  adminApp: page('/admin/apps/:clientId', ['GET'], { params: { clientId: CLIENT_ID } }),
  adminAppEdit: page('/admin/apps/:clientId/edit', ['GET', 'POST'], { params: { clientId: CLIENT_ID } }),
  adminAppAction: page('/admin/apps/:clientId/:action', ['POST'], { params: { clientId: CLIENT_ID, action: APP_ACTIONS.join('|') } }),
  // The audit trail (events the audit consumer could not process included, issue #14), answered by the audit service.
  adminAudit: api('/admin/audit', ['GET']),
  adminAuditVerify: api('/admin/audit/verify', ['GET']),
  adminAuditExport: api('/admin/audit/export', ['GET']),
  adminAuditDeadLetters: api('/admin/audit/dead-letters', ['GET']),
  // Signing-key administration (issue #5), answered by the jwks service.
  adminKeys: api('/admin/keys', ['GET']),
  adminKeysRotate: api('/admin/keys/rotate', ['POST']),
  // A person's own grants (SMART `management_endpoint`) and its forms.
  account: page('/account', ['GET']),
  accountLogin: page('/account/login', ['POST'], { rateLimit: 'login' }),
  accountLogout: page('/account/logout', ['POST']),
  accountGrantRevoke: page('/account/grants/:id/revoke', ['POST'], { params: { id: GRANT_ID } }),
  // The pages' stylesheets and SMART App Launch 2.2 §"Styling" (`smart_style_url`).
  asset: api('/assets/:name', ['GET'], { cache: 'service', forwarded: true, params: { name: 'suite\\.css|theme\\.css' } }),
  smartStyle: api('/smart-style.json', ['GET'], { cors: true, cache: 'service', forwarded: true }),
} as const satisfies Record<string, WebRoute>;

export type WebRouteName = keyof typeof WebRoutes;

/** A route and the parameters of the path it matched. */
export interface MatchedRoute {
  readonly name: WebRouteName;
  readonly route: WebRoute;
  readonly params: Readonly<Record<string, string>>;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Finds the route of a path. `strict` applies each route's {@link WebRoute.params} (the authorization service's
 * router); otherwise a parameter is any one segment (the edge). Static paths are found in a map, so the hot
 * paths (`/token`, `/introspect`) cost one lookup.
 */
export class WebRouteTable {
  private readonly exact = new Map<string, MatchedRoute>();
  private readonly templates: Array<{ name: WebRouteName; route: WebRoute; pattern: RegExp; names: string[] }> = [];

  constructor(
    routes: ReadonlyArray<[WebRouteName, WebRoute]>,
    strict: boolean,
  ) {
    for (const [name, route] of routes) {
      const names: string[] = [];
      const source = route.path
        .split('/')
        .map((segment) => {
          if (!segment.startsWith(':')) return escapeRegExp(segment);
          const param = segment.slice(1);
          names.push(param);
          return `(${strict ? (route.params?.[param] ?? '[^/]+') : '[^/]+'})`;
        })
        .join('/');
      if (names.length === 0) this.exact.set(route.path, { name, route, params: {} });
      else this.templates.push({ name, route, pattern: new RegExp(`^${source}$`), names });
    }
  }

  /** The table over `routes` (by default every route). */
  static of(strict: boolean, filter: (route: WebRoute) => boolean = () => true): WebRouteTable {
    return new WebRouteTable((Object.entries(WebRoutes) as Array<[WebRouteName, WebRoute]>).filter(([, route]) => filter(route)), strict);
  }

  /** The names of the routes in this table. */
  names(): WebRouteName[] {
    return [...[...this.exact.values()].map((m) => m.name), ...this.templates.map((t) => t.name)];
  }

  match(path: string): MatchedRoute | undefined {
    const exact = this.exact.get(path);
    if (exact) return exact;
    for (const { name, route, pattern, names } of this.templates) {
      const m = pattern.exec(path);
      if (!m) continue;
      const params: Record<string, string> = {};
      names.forEach((param, i) => (params[param] = m[i + 1]!));
      return { name, route, params };
    }
    return undefined;
  }
}

/** The templates (`:name` parameters) of the routes forwarded to the authorization service, for the gateway's controller. */
export const FORWARDED_WEB_PATHS: string[] = Object.values(WebRoutes)
  .filter((route: WebRoute) => route.forwarded === true)
  .map((route) => route.path);
