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
  /**
   * The discovery documents served under the FHIR base path too: the SMART
   * configuration (SMART App Launch 2.2 §"Retrieving .well-known/smart-configuration")
   * and the UDAP metadata (UDAP Security 2.0 §2.1), with their routes' policies.
   */
  private readonly underFhirBase = new Map<string, PathPolicy>();

  constructor(fhirBasePath: string) {
    for (const route of Object.values(WebRoutes) as WebRoute[]) this.policies.set(route, policyOf(route));
    for (const route of [WebRoutes.smartConfiguration, WebRoutes.udapConfiguration]) this.underFhirBase.set(`${fhirBasePath}${route.path}`, this.policies.get(route)!);
  }

  of(path: string): PathPolicy | undefined {
    const fhir = this.underFhirBase.get(path);
    if (fhir) return fhir;
    const matched = this.routes.match(path);
    return matched ? this.policies.get(matched.route) : undefined;
  }
}

export function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}
