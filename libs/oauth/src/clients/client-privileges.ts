import type { ClientMetadata, ClientPrivileges, ClientRecord } from '#contracts';
import { InvalidScope, UnauthorizedClient } from '../errors/oauth-errors.js';
import { negotiateScopes } from '../scopes/scope-negotiation.js';
import { ScopeSet } from '../scopes/scope-set.js';
import type { SmartScope } from '../scopes/smart-scope.js';
import { JWT_BEARER_GRANT_TYPE } from './client-metadata.constants.js';

/**
 * Trust tiers (issue #13): which registered privileges a client may use
 * without a person consenting at the moment of use, and what withholds them.
 *
 * A person approves, at /authorize, everything a user-facing app does:
 * `openid`, `fhirUser`, `profile`, `launch/…`, `offline_access`,
 * `online_access`, `patient/…` and `user/…` (SMART App Launch 2.2 §scopes).
 * What acts with nobody's consent is a **privilege**: any `system/…` scope
 * (SMART Backend Services), `introspect` (RFC 7662 §4: reading other clients'
 * tokens), `launch` held as the EHR role (creating launch contexts, signing
 * launch JWTs), `admin`, and the RFC 7523 §2.1 JWT bearer grant (a token for a
 * user who is not there). RFC 9700 §4.15 and RFC 7591 §5: an anonymous
 * registrant is not trusted with these; an administrator, an initial access
 * token, a trusted software statement or configuration must vouch for them.
 */

/** Grant types that issue tokens for data without a person at the moment of use. */
export const PRIVILEGED_GRANT_TYPES: readonly string[] = Object.freeze([JWT_BEARER_GRANT_TYPE]);

/** Why a registered privilege cannot be used. */
export type WithheldReason = 'pending' | 'rejected';

/**
 * A client's registered scopes, parsed once per record: the directories hand
 * out one object per client revision, so introspection's per-request check of
 * the caller's `introspect` privilege costs a map lookup, not a parse.
 */
const registeredScopes = new WeakMap<ClientRecord, ScopeSet>();

function registeredOf(client: ClientRecord): ScopeSet {
  let parsed = registeredScopes.get(client);
  if (!parsed) registeredScopes.set(client, (parsed = ScopeSet.parse(client.metadata.scope)));
  return parsed;
}

const NO_PRIVILEGES: ClientPrivileges = Object.freeze({ scope: [], grant_types: [] }) as ClientPrivileges;

/** Whether a scope is a privilege: used by a machine, not approved by the person a token is about. */
export function isPrivilegedScope(scope: SmartScope): boolean {
  if (scope.kind === 'resource') return scope.context === 'system';
  if (scope.kind === 'special') return true; // `admin`, `introspect`
  return scope.kind === 'launch' && scope.raw === 'launch'; // the EHR role; `launch/patient` is a person's
}

/**
 * Whether a person may grant a scope at /authorize. `system/…`, `introspect`
 * and `admin` reach beyond the person signing in, so nobody can consent to
 * them for others; `launch` is the app's half of an EHR launch (SMART App
 * Launch 2.2 §"EHR launch") and stays grantable.
 */
export function isPersonGrantable(scope: SmartScope): boolean {
  return !isPrivilegedScope(scope) || scope.raw === 'launch';
}

/** The privileges a client's metadata asks for. */
export function privilegesOf(metadata: Pick<ClientMetadata, 'scope' | 'grant_types'>): ClientPrivileges {
  return {
    scope: ScopeSet.parse(metadata.scope).filter(isPrivilegedScope).raws(),
    grant_types: metadata.grant_types.filter((g) => PRIVILEGED_GRANT_TYPES.includes(g)),
  };
}

export function hasPrivileges(privileges: ClientPrivileges | undefined): boolean {
  return privileges !== undefined && (privileges.scope.length > 0 || privileges.grant_types.length > 0);
}

/** `requested` split by what `allowed` covers (scopes by SMART coverage, `system/*.rs` covers `system/Patient.rs`; grant types exactly). */
export function splitByCoverage(requested: ClientPrivileges, allowed: ClientPrivileges | 'all'): { covered: ClientPrivileges; uncovered: ClientPrivileges } {
  if (allowed === 'all') return { covered: copy(requested), uncovered: copy(NO_PRIVILEGES) };
  const allowedScopes = ScopeSet.parse(allowed.scope.join(' '));
  const covered: ClientPrivileges = { scope: [], grant_types: [] };
  const uncovered: ClientPrivileges = { scope: [], grant_types: [] };
  for (const scope of requested.scope) (ScopeSet.parse(scope).isSubsetOf(allowedScopes) ? covered : uncovered).scope.push(scope);
  for (const grant of requested.grant_types) (allowed.grant_types.includes(grant) ? covered : uncovered).grant_types.push(grant);
  return { covered, uncovered };
}

/** `a` without the entries `b` holds exactly. */
export function withoutPrivileges(a: ClientPrivileges, b: ClientPrivileges): ClientPrivileges {
  return { scope: a.scope.filter((s) => !b.scope.includes(s)), grant_types: a.grant_types.filter((g) => !b.grant_types.includes(g)) };
}

/** The entries of `a` that `b` holds exactly. */
export function commonPrivileges(a: ClientPrivileges, b: ClientPrivileges): ClientPrivileges {
  return { scope: a.scope.filter((s) => b.scope.includes(s)), grant_types: a.grant_types.filter((g) => b.grant_types.includes(g)) };
}

/** `a` followed by what `b` adds. */
export function unionPrivileges(a: ClientPrivileges, b: ClientPrivileges): ClientPrivileges {
  return { scope: [...new Set([...a.scope, ...b.scope])], grant_types: [...new Set([...a.grant_types, ...b.grant_types])] };
}

/**
 * The privileges given as one space-delimited string of scope tokens and
 * privileged grant types (configuration and the approval API), or `all` for `*`.
 */
export function parsePrivileges(value: string): ClientPrivileges | 'all' {
  const tokens = value.trim().split(/\s+/).filter((t) => t !== '');
  if (tokens.length === 1 && tokens[0] === '*') return 'all';
  const grants = tokens.filter((t) => PRIVILEGED_GRANT_TYPES.includes(t));
  const scopes = ScopeSet.parse(tokens.filter((t) => !PRIVILEGED_GRANT_TYPES.includes(t)).join(' '));
  const plain = scopes.values().find((s) => !isPrivilegedScope(s));
  if (plain) throw new InvalidScope(`'${plain.raw}' is not a privilege: people approve it at /authorize`);
  return { scope: scopes.raws(), grant_types: grants };
}

/** Why a registered scope token is not usable by this client, or null when it is. */
export function scopeWithheld(client: ClientRecord, raw: string): WithheldReason | null {
  if (client.privileges_rejected?.scope.includes(raw)) return 'rejected';
  if (client.privileges_pending?.scope.includes(raw)) return 'pending';
  return null;
}

/** Why a registered grant type is not usable by this client, or null when it is. */
export function grantTypeWithheld(client: ClientRecord, grantType: string): WithheldReason | null {
  if (client.privileges_rejected?.grant_types.includes(grantType)) return 'rejected';
  if (client.privileges_pending?.grant_types.includes(grantType)) return 'pending';
  return null;
}

/** Whether the client registered this scope and may use it (not pending, not rejected). */
export function mayUseScope(client: ClientRecord, raw: string): boolean {
  return registeredOf(client).has(raw) && scopeWithheld(client, raw) === null;
}

/** The client's registered scopes it may use now, in registration order. */
export function usableScopes(client: ClientRecord): ScopeSet {
  const registered = registeredOf(client);
  if (!client.privileges_pending && !client.privileges_rejected) return registered;
  return registered.filter((s) => scopeWithheld(client, s.raw) === null);
}

function describeWithheld(what: string, reason: WithheldReason): string {
  return reason === 'pending'
    ? `${what} awaits an administrator's approval for this client (trust tiers: registered anonymously)`
    : `${what} was refused for this client by an administrator`;
}

/**
 * RFC 6749 §5.2: a requested scope that nothing usable can satisfy and that
 * falls on a privilege the client registered but may not use yet is
 * `invalid_scope`, saying why (never silently narrowed away, so the client
 * learns that approval is pending). A request that usable scopes satisfy in
 * part is narrowed as usual (RFC 6749 §3.3).
 *
 * @throws InvalidScope
 */
export function assertRequestedScopesUsable(client: ClientRecord, requested: ScopeSet, usable: ScopeSet): void {
  if (!client.privileges_pending && !client.privileges_rejected) return;
  const registered = registeredOf(client).values();
  for (const want of requested) {
    if (!negotiateScopes(ScopeSet.of([want]), usable).granted.isEmpty()) continue;
    for (const held of registered) {
      const reason = scopeWithheld(client, held.raw);
      if (reason !== null && (held.covers(want) || want.covers(held))) throw new InvalidScope(describeWithheld(`scope '${held.raw}'`, reason));
    }
  }
}

/**
 * RFC 6749 §5.2: a privileged grant type the client registered but may not
 * use yet is `unauthorized_client`, saying approval is pending.
 *
 * @throws UnauthorizedClient
 */
export function assertGrantTypeUsable(client: ClientRecord, grantType: string): void {
  const reason = grantTypeWithheld(client, grantType);
  if (reason !== null) throw new UnauthorizedClient(describeWithheld(`the ${grantType} grant`, reason));
}

function copy(p: ClientPrivileges): ClientPrivileges {
  return { scope: [...p.scope], grant_types: [...p.grant_types] };
}
