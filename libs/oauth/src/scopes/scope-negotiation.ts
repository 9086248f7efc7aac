import { ScopeSet } from './scope-set.js';
import { SmartScope } from './smart-scope.js';

export interface ScopeNegotiation {
  granted: ScopeSet;
  rejected: string[];
}

const ORDER = 'cruds';

/**
 * Narrows `requested` to what `allowed` permits; scopes only ever narrow.
 * A covered scope is granted as requested (so v1 stays v1); a wider resource
 * scope is narrowed to the allowed scopes it covers, or to the shared
 * permissions of a matching allowed scope; anything else is rejected.
 */
export function negotiateScopes(requested: ScopeSet, allowed: ScopeSet): ScopeNegotiation {
  const granted: SmartScope[] = [];
  const rejected: string[] = [];
  for (const want of requested) {
    if (allowed.values().some((a) => a.covers(want))) {
      granted.push(want);
      continue;
    }
    if (want.kind !== 'resource') {
      rejected.push(want.raw);
      continue;
    }
    const narrower = allowed.values().filter((a) => want.covers(a));
    if (narrower.length) {
      granted.push(...narrower);
      continue;
    }
    const partial = allowed.values().flatMap((a) => {
      if (a.kind !== 'resource' || a.context !== want.context || a.query !== want.query) return [];
      if (a.resourceType !== '*' && a.resourceType !== want.resourceType) return [];
      const shared = [...ORDER].filter((l) => a.permissions!.includes(l) && want.permissions!.includes(l)).join('');
      if (!shared) return [];
      const scope = SmartScope.parse(`${want.context}/${want.resourceType}.${shared}${want.query ? `?${want.query}` : ''}`);
      return scope ? [scope] : [];
    });
    if (partial.length) granted.push(...partial);
    else rejected.push(want.raw);
  }
  return { granted: ScopeSet.of(granted), rejected };
}
