import { InvalidScope } from '../errors/oauth-errors.js';
import { SmartScope } from './smart-scope.js';

// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/** How much of a bad scope is quoted back in `error_description`. */
const QUOTE_LIMIT = 64;

/**
 * Quotes a scope for an `error_description`, which RFC 6749 §5.2 limits to
 * %x20-21 / %x23-5B / %x5D-7E: anything else (control characters, non-ASCII,
 * `"` and `\`) is shown as `<U+XXXX>`, and long values are cut.
 */
function quote(token: string): string {
  const chars = [...token];
  const shown = chars
    .slice(0, QUOTE_LIMIT)
    .map((ch) => (SCOPE_TOKEN.test(ch) ? ch : `<U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}>`))
    .join('');
  return `'${shown}${chars.length > QUOTE_LIMIT ? '...' : ''}'`;
}

/**
 * An ordered set of SMART scopes without duplicates (by raw string); immutable.
 * Iteration, {@link ScopeSet.values}, {@link ScopeSet.raws} and
 * {@link ScopeSet.toString} all follow first-seen order.
 */
export class ScopeSet implements Iterable<SmartScope> {
  /** Number of distinct scopes. */
  readonly size: number;
  readonly #byRaw: ReadonlyMap<string, SmartScope>;

  private constructor(scopes: Iterable<SmartScope>) {
    const byRaw = new Map<string, SmartScope>();
    for (const scope of scopes) if (!byRaw.has(scope.raw)) byRaw.set(scope.raw, scope);
    this.#byRaw = byRaw;
    this.size = byRaw.size;
    Object.freeze(this);
  }

  /**
   * Parses an OAuth `scope` parameter (RFC 6749 §3.3: scope-tokens separated
   * by spaces). Duplicates collapse to their first occurrence; `undefined`,
   * `''` or only spaces give the empty set. Repeated spaces are tolerated;
   * any other whitespace, control character or non-ASCII character is not.
   *
   * @throws InvalidScope naming the first malformed or unknown scope.
   */
  static parse(scopeParam: string | undefined): ScopeSet {
    if (scopeParam === undefined) return new ScopeSet([]);
    // Defensive: a repeated `scope` parameter can arrive as an array at runtime.
    if (typeof scopeParam !== 'string') throw new InvalidScope('scope must be a single space-delimited string');
    const scopes: SmartScope[] = [];
    for (const token of scopeParam.split(' ')) {
      if (token === '') continue;
      // RFC 6749 §3.3: scope-token characters only.
      if (!SCOPE_TOKEN.test(token)) throw new InvalidScope(`malformed scope ${quote(token)}: invalid characters`);
      const scope = SmartScope.parse(token);
      // SMART App Launch 2.2 §scopes: unknown or malformed scopes are refused, not ignored.
      if (!scope) throw new InvalidScope(`unknown or malformed scope ${quote(token)}`);
      scopes.push(scope);
    }
    return new ScopeSet(scopes);
  }

  /** A set of the given scopes, in order, without duplicates (by raw string). */
  static of(scopes: Iterable<SmartScope>): ScopeSet {
    return new ScopeSet(scopes);
  }

  /** True when a scope with exactly this raw string is in the set. */
  has(raw: string): boolean {
    return this.#byRaw.has(raw);
  }

  /** True when the set has no scope. */
  isEmpty(): boolean {
    return this.size === 0;
  }

  /** The scopes, in order (a fresh array). */
  values(): SmartScope[] {
    return [...this.#byRaw.values()];
  }

  /** The raw scope strings, in order (a fresh array). */
  raws(): string[] {
    return [...this.#byRaw.keys()];
  }

  /** RFC 6749 §3.3: the space-delimited `scope` value, in order, without duplicates. */
  toString(): string {
    return this.raws().join(' ');
  }

  /** This set followed by the scopes of `other` it does not already hold. */
  union(other: ScopeSet): ScopeSet {
    return new ScopeSet([...this.#byRaw.values(), ...other.#byRaw.values()]);
  }

  /** The scopes for which `pred` is true, in order. */
  filter(pred: (s: SmartScope) => boolean): ScopeSet {
    return new ScopeSet(this.values().filter((s) => pred(s)));
  }

  /** True when every scope of this set is covered by some scope of `other` (see {@link SmartScope.covers}). */
  isSubsetOf(other: ScopeSet): boolean {
    const theirs = other.values();
    return this.values().every((mine) => theirs.some((t) => t.covers(mine)));
  }

  [Symbol.iterator](): Iterator<SmartScope> {
    return this.#byRaw.values();
  }
}
