import { InvalidScope } from '../errors/oauth-errors.js';
import { SmartScope } from './smart-scope.js';

// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/** An ordered set of SMART scopes without duplicates. */
export class ScopeSet implements Iterable<SmartScope> {
  private constructor(private readonly scopes: SmartScope[]) {}

  /** Parses a space-delimited scope parameter; throws InvalidScope naming the first bad scope. */
  static parse(scopeParam: string | undefined): ScopeSet {
    if (scopeParam === undefined) return new ScopeSet([]);
    const seen = new Map<string, SmartScope>();
    for (const token of scopeParam.split(' ')) {
      if (token === '') continue;
      if (!SCOPE_TOKEN.test(token)) throw new InvalidScope(`malformed scope: ${JSON.stringify(token).slice(0, 80)}`);
      const scope = SmartScope.parse(token);
      if (!scope) throw new InvalidScope(`unknown or malformed scope: ${token.slice(0, 80)}`);
      if (!seen.has(token)) seen.set(token, scope);
    }
    return new ScopeSet([...seen.values()]);
  }

  static of(scopes: Iterable<SmartScope>): ScopeSet {
    const seen = new Map<string, SmartScope>();
    for (const s of scopes) if (!seen.has(s.raw)) seen.set(s.raw, s);
    return new ScopeSet([...seen.values()]);
  }

  get size(): number {
    return this.scopes.length;
  }

  has(raw: string): boolean {
    return this.scopes.some((s) => s.raw === raw);
  }

  isEmpty(): boolean {
    return this.scopes.length === 0;
  }

  values(): SmartScope[] {
    return [...this.scopes];
  }

  raws(): string[] {
    return this.scopes.map((s) => s.raw);
  }

  toString(): string {
    return this.raws().join(' ');
  }

  union(other: ScopeSet): ScopeSet {
    return ScopeSet.of([...this.scopes, ...other.scopes]);
  }

  filter(pred: (s: SmartScope) => boolean): ScopeSet {
    return new ScopeSet(this.scopes.filter(pred));
  }

  /** Every scope of this set is covered by some scope of `other`. */
  isSubsetOf(other: ScopeSet): boolean {
    return this.scopes.every((mine) => other.scopes.some((theirs) => theirs.covers(mine)));
  }

  [Symbol.iterator](): Iterator<SmartScope> {
    return this.scopes[Symbol.iterator]();
  }
}
