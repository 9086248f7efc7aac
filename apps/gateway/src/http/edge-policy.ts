import { WebRoutes, WebRouteTable, type WebRoute } from '#contracts';

/**
 * Per-path HTTP policy of the edge, read from the one description of the web
 * surface (`libs/contracts` `WebRoutes`): which paths exist (and their
 * methods), which get CORS and which answers must not be cached.
 */
export interface PathPolicy {
  methods: string[];
  cors: boolean;
  noStore: boolean;
}

const policyOf = (route: WebRoute): PathPolicy => ({ methods: [...route.methods], cors: route.cors, noStore: route.cache === 'no-store' });

export class EdgePolicy {
  private readonly routes = WebRouteTable.of(false);
  private readonly policies = new Map<WebRoute, PathPolicy>();
  /** The SMART configuration under the FHIR base URL (SMART App Launch 2.2 §"Retrieving .well-known/smart-configuration"). */
  private readonly fhirSmartConfiguration: { path: string; policy: PathPolicy };

  constructor(fhirSmartConfigPath: string) {
    for (const route of Object.values(WebRoutes) as WebRoute[]) this.policies.set(route, policyOf(route));
    this.fhirSmartConfiguration = { path: fhirSmartConfigPath, policy: this.policies.get(WebRoutes.smartConfiguration)! };
  }

  of(path: string): PathPolicy | undefined {
    if (path === this.fhirSmartConfiguration.path) return this.fhirSmartConfiguration.policy;
    const matched = this.routes.match(path);
    return matched ? this.policies.get(matched.route) : undefined;
  }
}

export function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}
