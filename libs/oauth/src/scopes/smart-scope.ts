/** SMART App Launch 2.2 scope grammar (scopes-and-launch-context). */
export type ScopeContext = 'patient' | 'user' | 'system';
export type ScopeKind = 'resource' | 'launch' | 'identity' | 'access' | 'special' | 'extension';

const RESOURCE = /^(patient|user|system)\/(\*|[A-Z][A-Za-z]{0,63})\.([a-z*]+)(?:\?(.*))?$/;
const V2_PERMISSIONS = /^c?r?u?d?s?$/;
const V1_PERMISSIONS: Record<string, string> = { read: 'rs', write: 'cud', '*': 'cruds' };
const LAUNCH = /^launch(?:\/([a-z][a-z-]*)(?:\?role=(\S+))?)?$/;
const QUERY_PAIR = /^[A-Za-z_][A-Za-z0-9_.:-]*=[^&=]+$/;
const IDENTITY = new Set(['openid', 'fhirUser', 'profile']);
const ACCESS = new Set(['offline_access', 'online_access']);
/** Suite-specific scopes: `admin` (admin API) and `introspect` (SMART token introspection callers). */
const SPECIAL = new Set(['admin', 'introspect']);

function letters(permissions: string): Set<string> {
  return new Set(permissions.split(''));
}

/** One parsed SMART scope; immutable. `raw` is echoed back exactly as requested. */
export class SmartScope {
  private constructor(
    readonly raw: string,
    readonly kind: ScopeKind,
    readonly context?: ScopeContext,
    readonly resourceType?: string,
    readonly permissions?: string,
    readonly query?: string,
    readonly version?: 1 | 2,
    readonly launchType?: string,
  ) {}

  /** Parses one scope token; null when it is malformed or unknown. */
  static parse(raw: string): SmartScope | null {
    const resource = RESOURCE.exec(raw);
    if (resource) {
      const [, context, type, perm, query] = resource as unknown as [string, ScopeContext, string, string, string | undefined];
      let permissions: string;
      let version: 1 | 2;
      if (perm in V1_PERMISSIONS) {
        permissions = V1_PERMISSIONS[perm]!;
        version = 1;
      } else if (perm.length > 0 && V2_PERMISSIONS.test(perm)) {
        // SMART 2.2: a non-empty in-order subset of `cruds`; `.dus` or `.sr` is never read as anything.
        permissions = perm;
        version = 2;
      } else {
        return null;
      }
      if (query !== undefined) {
        if (version === 1 || query === '' || !query.split('&').every((pair) => QUERY_PAIR.test(pair))) return null;
      }
      return new SmartScope(raw, 'resource', context, type, permissions, query, version);
    }
    const launch = LAUNCH.exec(raw);
    if (launch) return new SmartScope(raw, 'launch', undefined, undefined, undefined, undefined, undefined, launch[1] ?? '');
    if (IDENTITY.has(raw)) return new SmartScope(raw, 'identity');
    if (ACCESS.has(raw)) return new SmartScope(raw, 'access');
    if (SPECIAL.has(raw)) return new SmartScope(raw, 'special');
    // SMART 2.2 §extensions: a full URI or a `__` prefix.
    if (/^https?:\/\/\S+$/.test(raw) || /^__[A-Za-z0-9_.:/-]+$/.test(raw)) return new SmartScope(raw, 'extension');
    return null;
  }

  toString(): string {
    return this.raw;
  }

  /** True when a grant of this scope allows everything `other` asks for. */
  covers(other: SmartScope): boolean {
    if (this.kind !== other.kind) return false;
    if (this.kind === 'launch') return this.launchType === other.launchType && (this.raw === other.raw || !this.raw.includes('?'));
    if (this.kind !== 'resource') return this.raw === other.raw;
    if (this.context !== other.context) return false;
    if (this.resourceType !== '*' && this.resourceType !== other.resourceType) return false;
    const mine = letters(this.permissions!);
    if (![...letters(other.permissions!)].every((l) => mine.has(l))) return false;
    return this.query === undefined || this.query === other.query;
  }
}
