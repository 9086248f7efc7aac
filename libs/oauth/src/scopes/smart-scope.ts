/**
 * SMART App Launch 2.2 scope grammar (§scopes-and-launch-context).
 *
 * https://hl7.org/fhir/smart-app-launch/scopes-and-launch-context.html
 */

/** SMART App Launch 2.2 §scopes: the compartment a resource scope applies to. */
export type ScopeContext = 'patient' | 'user' | 'system';

/**
 * What a scope is about:
 * - `resource`: `patient/Observation.rs`, `system/*.read`, …
 * - `launch`: `launch`, `launch/patient`, `launch/encounter?role=…`
 * - `identity`: `openid`, `fhirUser`, `profile`
 * - `access`: `offline_access`, `online_access`
 * - `special`: suite-specific `admin`, `introspect`
 * - `extension`: a full `http(s)://` URI or a `__`-prefixed name
 */
export type ScopeKind = 'resource' | 'launch' | 'identity' | 'access' | 'special' | 'extension';

// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

// SMART App Launch 2.2 §scopes: `<context>/<ResourceType|*>.<permissions>[?<query>]`.
// The permission part is captured loosely and validated separately so that
// `.dus`, `.sr` or `.` are refused rather than partially read.
const RESOURCE = /^(patient|user|system)\/(\*|[A-Z][A-Za-z]{0,63})\.([^?]*)(?:\?(.*))?$/;

// SMART App Launch 2.2 §scopes: v2 permissions are an in-order subset of `cruds`.
const V2_PERMISSIONS = /^c?r?u?d?s?$/;

// SMART App Launch 2.2 §"Scope Equivalence" with v1: read = rs, write = cud, * = cruds.
const V1_PERMISSIONS: ReadonlyMap<string, string> = new Map([
  ['read', 'rs'],
  ['write', 'cud'],
  ['*', 'cruds'],
]);

// SMART App Launch 2.2 §"Finer-grained resource constraints using search parameters":
// `name=value` pairs joined by `&`. Names are FHIR search parameter names, optionally
// with modifiers or chains (`code:in`, `subject.name`, `_has:Observation:patient:code`).
const QUERY_PAIR = /^[A-Za-z_][A-Za-z0-9_.:-]*=[^&=]+$/;

// SMART App Launch 2.2 §"Scopes for requesting context data": `launch`,
// `launch/<lowercase resource type>`, optionally `?role=<absolute URI>`.
const LAUNCH = /^launch(?:\/([a-z]+)(?:\?role=([A-Za-z][A-Za-z0-9+.-]*:[^&]+))?)?$/;

// SMART App Launch 2.2 §"Scopes for requesting identity data" and §"refresh tokens".
const IDENTITY: ReadonlySet<string> = new Set(['openid', 'fhirUser', 'profile']);
const ACCESS: ReadonlySet<string> = new Set(['offline_access', 'online_access']);

/** Suite-specific scopes (not SMART): `admin` (admin API) and `introspect` (token introspection callers). */
const SPECIAL: ReadonlySet<string> = new Set(['admin', 'introspect']);

// SMART App Launch 2.2 §"Extensions": a full URI or a `__`-prefixed name.
const EXTENSION = /^(?:https?:\/\/.+|__.+)$/;

interface Parts {
  kind: ScopeKind;
  context?: ScopeContext;
  resourceType?: string;
  permissions?: string;
  query?: string;
  version?: 1 | 2;
  launchType?: string;
  role?: string;
}

/**
 * One parsed SMART scope; immutable.
 *
 * `raw` is kept exactly as given so a granted scope is echoed back in the form
 * the client asked for (a v1 `patient/*.read` stays v1), while `permissions`
 * is always the normalised in-order subset of `cruds`.
 */
export class SmartScope {
  /** The scope exactly as given. */
  readonly raw: string;
  readonly kind: ScopeKind;
  /** Resource scopes only. */
  readonly context?: ScopeContext;
  /** Resource scopes only; `'*'` for the wildcard. */
  readonly resourceType?: string;
  /** Resource scopes only; normalised in-order subset of `cruds` (v1 `.read` → `rs`). */
  readonly permissions?: string;
  /** Resource scopes only; the text after `?`, kept as-is. */
  readonly query?: string;
  /** Resource scopes only: 1 for `.read`/`.write`/`.*`, 2 for `cruds` letters. */
  readonly version?: 1 | 2;
  /** Launch scopes only: `undefined` for bare `launch`, else the lowercase type. */
  readonly #launchType?: string;
  /** Launch scopes only: the `role` URI, when requested. */
  readonly #role?: string;

  private constructor(raw: string, parts: Parts) {
    this.raw = raw;
    this.kind = parts.kind;
    if (parts.kind === 'resource') {
      this.context = parts.context;
      this.resourceType = parts.resourceType;
      this.permissions = parts.permissions;
      if (parts.query !== undefined) this.query = parts.query;
      this.version = parts.version;
    }
    this.#launchType = parts.launchType;
    this.#role = parts.role;
    Object.freeze(this);
  }

  /**
   * Parses one scope token.
   *
   * @returns the scope, or `null` when it is malformed or of no known kind.
   */
  static parse(raw: string): SmartScope | null {
    if (typeof raw !== 'string' || !SCOPE_TOKEN.test(raw)) return null;

    const resource = RESOURCE.exec(raw);
    if (resource) return SmartScope.parseResource(raw, resource);
    if (raw.startsWith('patient/') || raw.startsWith('user/') || raw.startsWith('system/')) return null;

    const launch = LAUNCH.exec(raw);
    if (launch) return new SmartScope(raw, { kind: 'launch', launchType: launch[1], role: launch[2] });
    if (IDENTITY.has(raw)) return new SmartScope(raw, { kind: 'identity' });
    if (ACCESS.has(raw)) return new SmartScope(raw, { kind: 'access' });
    if (SPECIAL.has(raw)) return new SmartScope(raw, { kind: 'special' });
    if (EXTENSION.test(raw)) return new SmartScope(raw, { kind: 'extension' });
    return null;
  }

  private static parseResource(raw: string, match: RegExpExecArray): SmartScope | null {
    const context = match[1] as ScopeContext;
    const resourceType = match[2]!;
    const perm = match[3]!;
    const query = match[4];

    let permissions: string;
    let version: 1 | 2;
    const v1 = V1_PERMISSIONS.get(perm);
    if (v1 !== undefined) {
      permissions = v1;
      version = 1;
    } else if (perm !== '' && V2_PERMISSIONS.test(perm)) {
      // SMART App Launch 2.2 §scopes: a NON-EMPTY in-order subset of `cruds`.
      permissions = perm;
      version = 2;
    } else {
      // `.dus`, `.sr`, `.x`, `.`: malformed, never read as some other permission.
      return null;
    }

    if (query !== undefined) {
      // Search-parameter constraints are a v2 feature; v1 had no query part.
      if (version === 1) return null;
      if (query === '' || !query.split('&').every((pair) => QUERY_PAIR.test(pair))) return null;
    }
    return new SmartScope(raw, { kind: 'resource', context, resourceType, permissions, query, version });
  }

  /** The scope exactly as given (`=== raw`). */
  toString(): string {
    return this.raw;
  }

  /**
   * True when a grant of `this` allows everything `other` asks for.
   *
   * - Kinds must match.
   * - Non-resource scopes cover only an identical scope, except that a launch
   *   scope without a role covers the same launch scope with any role
   *   (`launch/patient` covers `launch/patient?role=…`).
   * - Resource scopes (SMART App Launch 2.2 §scopes): same context; `this`
   *   is for `*` or the same type; `this` has every permission letter of
   *   `other` (v1 and v2 compared after normalisation); and `this` has no
   *   query or exactly the same query (a query only narrows).
   */
  covers(other: SmartScope): boolean {
    if (this.kind !== other.kind) return false;
    switch (this.kind) {
      case 'resource': {
        if (this.context !== other.context) return false;
        if (this.resourceType !== '*' && this.resourceType !== other.resourceType) return false;
        const mine = this.permissions ?? '';
        if (![...(other.permissions ?? '')].every((letter) => mine.includes(letter))) return false;
        return this.query === undefined || this.query === other.query;
      }
      case 'launch':
        return this.#launchType === other.#launchType && (this.#role === undefined || this.#role === other.#role);
      default:
        return this.raw === other.raw;
    }
  }
}
