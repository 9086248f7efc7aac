/**
 * Per-path HTTP policy of the edge: which paths exist (and their methods),
 * which get CORS (RFC 9700 §2.6: metadata, JWKS, token and registration
 * endpoints; never the authorization endpoint or pages), and which responses
 * must not be cached (RFC 6749 §5.1, RFC 7591 §3.2.1).
 */
export interface PathPolicy {
  methods: string[];
  cors: boolean;
  noStore: boolean;
}

const DISCOVERY = { methods: ['GET'], cors: true, noStore: false };

export class EdgePolicy {
  private readonly exact: Map<string, PathPolicy>;

  constructor(fhirSmartConfigPath: string) {
    this.exact = new Map<string, PathPolicy>([
      ['/.well-known/openid-configuration', DISCOVERY],
      ['/.well-known/smart-configuration', DISCOVERY],
      ['/.well-known/oauth-authorization-server', DISCOVERY],
      [fhirSmartConfigPath, DISCOVERY],
      ['/jwks', { methods: ['GET'], cors: true, noStore: false }],
      ['/token', { methods: ['POST'], cors: true, noStore: true }],
      ['/register', { methods: ['POST'], cors: true, noStore: true }],
      ['/introspect', { methods: ['POST'], cors: false, noStore: true }],
      ['/revoke', { methods: ['POST'], cors: false, noStore: true }],
      ['/health/live', { methods: ['GET'], cors: false, noStore: true }],
      ['/health/ready', { methods: ['GET'], cors: false, noStore: true }],
      // The authorization endpoint and pages: never CORS (RFC 9700 §2.6); their answers carry their own cache headers.
      ['/authorize', { methods: ['GET', 'POST'], cors: false, noStore: true }],
      ['/logout', { methods: ['GET', 'POST'], cors: false, noStore: true }],
      // Redirect URI of the upstream OpenID Connect provider (OIDC Core §3.1.2.5): a page, browser navigation only.
      ['/login/callback', { methods: ['GET'], cors: false, noStore: true }],
      ['/launch', { methods: ['POST'], cors: false, noStore: true }],
      // OIDC Core §5.3: called by browser apps with their access token.
      ['/userinfo', { methods: ['GET', 'POST'], cors: true, noStore: true }],
      ['/admin/users', { methods: ['GET', 'POST'], cors: false, noStore: true }],
      ['/admin/grants', { methods: ['GET'], cors: false, noStore: true }],
      // The grant administration page and its forms.
      ['/admin', { methods: ['GET'], cors: false, noStore: true }],
      ['/admin/login', { methods: ['POST'], cors: false, noStore: true }],
      ['/admin/logout', { methods: ['POST'], cors: false, noStore: true }],
      ['/admin/audit', { methods: ['GET'], cors: false, noStore: true }],
      ['/admin/audit/verify', { methods: ['GET'], cors: false, noStore: true }],
      ['/admin/audit/export', { methods: ['GET'], cors: false, noStore: true }],
      // Events the audit consumer could not process (issue #14).
      ['/admin/audit/dead-letters', { methods: ['GET'], cors: false, noStore: true }],
      // Signing-key administration (issue #5), answered by the jwks service.
      ['/admin/keys', { methods: ['GET'], cors: false, noStore: true }],
      ['/admin/keys/rotate', { methods: ['POST'], cors: false, noStore: true }],
      // The client directory for administrators, answered by the registration service.
      ['/admin/clients', { methods: ['GET'], cors: false, noStore: true }],
      // A person's own grants (SMART `management_endpoint`) and its forms.
      ['/account', { methods: ['GET'], cors: false, noStore: true }],
      ['/account/login', { methods: ['POST'], cors: false, noStore: true }],
      ['/account/logout', { methods: ['POST'], cors: false, noStore: true }],
      ['/smart-style.json', { methods: ['GET'], cors: true, noStore: false }],
      ['/assets/suite.css', { methods: ['GET'], cors: false, noStore: false }],
      ['/assets/theme.css', { methods: ['GET'], cors: false, noStore: false }],
    ]);
  }

  of(path: string): PathPolicy | undefined {
    const exact = this.exact.get(path);
    if (exact) return exact;
    if (/^\/register\/[^/]+$/.test(path)) return { methods: ['GET', 'PUT', 'DELETE'], cors: true, noStore: true };
    if (/^\/interaction\/[^/]+(\/[^/]+)?$/.test(path)) return { methods: ['GET', 'POST'], cors: false, noStore: true };
    if (/^\/admin\/users\/[^/]+$/.test(path)) return { methods: ['GET', 'PATCH', 'PUT', 'DELETE'], cors: false, noStore: true };
    // The clients allowed to use the JWT bearer grant for the user (RFC 7523 §2.1).
    if (/^\/admin\/users\/[^/]+\/jwt-bearer-clients$/.test(path)) return { methods: ['GET', 'PUT'], cors: false, noStore: true };
    if (/^\/admin\/grants\/[^/]+$/.test(path)) return { methods: ['GET', 'DELETE'], cors: false, noStore: true };
    if (/^\/admin\/grants\/[^/]+\/revoke$/.test(path)) return { methods: ['POST'], cors: false, noStore: true };
    if (/^\/account\/grants\/[^/]+\/revoke$/.test(path)) return { methods: ['POST'], cors: false, noStore: true };
    if (/^\/admin\/clients\/[^/]+$/.test(path)) return { methods: ['GET', 'DELETE'], cors: false, noStore: true };
    if (/^\/admin\/clients\/[^/]+\/revoke-all$/.test(path)) return { methods: ['POST'], cors: false, noStore: true };
    if (/^\/admin\/clients\/[^/]+\/(approve|reject)$/.test(path)) return { methods: ['POST'], cors: false, noStore: true };
    return undefined;
  }
}

export function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}
