import { ScopeSet } from './scope-set.js';
import { SmartScope } from './smart-scope.js';

/** The outcome of {@link negotiateScopes}. */
export interface ScopeNegotiation {
  /** What may be granted; every scope is covered by `allowed` and by the request. */
  granted: ScopeSet;
  /** Raw requested scopes of which nothing could be granted, in request order. */
  rejected: string[];
}

const CRUDS = 'cruds';

/**
 * The largest resource scope covered by both `want` and `allowed`, or null
 * when they share nothing. When `want` covers `allowed` entirely the allowed
 * scope itself is returned, so its raw form (possibly v1) is kept.
 */
function intersect(want: SmartScope, allowed: SmartScope): SmartScope | null {
  if (want.kind !== 'resource' || allowed.kind !== 'resource') return null;
  if (want.covers(allowed)) return allowed;
  if (want.context !== allowed.context) return null;

  // SMART App Launch 2.2 §"wildcard scopes": `*` narrows to the other side's type.
  let resourceType: string;
  if (want.resourceType === '*') resourceType = allowed.resourceType!;
  else if (allowed.resourceType === '*' || allowed.resourceType === want.resourceType) resourceType = want.resourceType!;
  else return null;

  // SMART App Launch 2.2 §scopes: shared permission letters, in `cruds` order.
  const letters = [...CRUDS].filter((l) => want.permissions!.includes(l) && allowed.permissions!.includes(l)).join('');
  if (letters === '') return null;

  // A query only narrows: keep whichever side has one; two different queries are not combined.
  let query: string | undefined;
  if (want.query === undefined) query = allowed.query;
  else if (allowed.query === undefined || allowed.query === want.query) query = want.query;
  else return null;

  return SmartScope.parse(`${want.context}/${resourceType}.${letters}${query === undefined ? '' : `?${query}`}`);
}

/** Drops scopes covered by another one of the list (keeping the first of equivalent scopes). */
function withoutRedundant(scopes: SmartScope[]): SmartScope[] {
  return scopes.filter((s, i) =>
    !scopes.some((t, j) => j !== i && t.covers(s) && (!s.covers(t) || j < i)),
  );
}

/**
 * Narrows `requested` to what `allowed` permits (RFC 6749 §3.3: the server
 * may grant fewer scopes than requested; SMART App Launch 2.2 §scopes).
 * Scopes only ever narrow; every granted scope is covered by `allowed`.
 *
 * For each requested scope, in request order:
 * 1. If some allowed scope covers it, it is granted exactly as requested
 *    (a v1 `patient/*.read` is echoed back as v1).
 * 2. Otherwise, for a resource scope, it is intersected with every allowed
 *    resource scope: allowed scopes it covers are granted as they are
 *    (`system/*.rs` within `system/Patient.rs system/Observation.r` grants both),
 *    and partial overlaps are granted as v2 scopes with the shared permission
 *    letters (`patient/Observation.cruds` within `patient/Observation.rs`
 *    grants `patient/Observation.rs`). Redundant results are dropped.
 * 3. If nothing is granted for it, its raw string goes to `rejected`.
 */
export function negotiateScopes(requested: ScopeSet, allowed: ScopeSet): ScopeNegotiation {
  const allowedScopes = allowed.values();
  const granted: SmartScope[] = [];
  const rejected: string[] = [];
  for (const want of requested) {
    if (allowedScopes.some((a) => a.covers(want))) {
      granted.push(want);
      continue;
    }
    const narrowed = withoutRedundant(
      allowedScopes.map((a) => intersect(want, a)).filter((s): s is SmartScope => s !== null),
    );
    if (narrowed.length > 0) granted.push(...narrowed);
    else rejected.push(want.raw);
  }
  return { granted: ScopeSet.of(granted), rejected };
}
