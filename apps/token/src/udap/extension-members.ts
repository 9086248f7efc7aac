/** An Authorization Extension Object that does not hold; the message names the member and the rule. */
export class ExtensionInvalid extends Error {
  override readonly name = 'ExtensionInvalid';
}

/** The longest string member read. */
const MAX_STRING = 1024;
/** The most items read in an array member. */
const MAX_ITEMS = 32;

/** An absolute URI (RFC 3986 §4.3: a scheme, then anything but spaces). */
const ABSOLUTE_URI = /^[A-Za-z][A-Za-z0-9+.-]*:\S+$/;
/** An absolute http(s) URL. */
const ABSOLUTE_URL = /^https?:\/\/[^\s/?#]+\S*$/i;

/**
 * Reads the members of one extension object, each by its rule, keeping only
 * the members it read (what the access token carries). Every failure is an
 * {@link ExtensionInvalid} naming `<key>.<member>`.
 */
export class ExtensionMembers {
  readonly read: Record<string, unknown> = {};

  constructor(
    private readonly key: string,
    private readonly members: Record<string, unknown>,
  ) {}

  private fail(member: string, rule: string): never {
    throw new ExtensionInvalid(`${this.key}.${member} ${rule}`);
  }

  private keep<T>(member: string, value: T): T {
    this.read[member] = value;
    return value;
  }

  /** A string member equal to `value` (`version: "1"`). */
  fixed(member: string, value: string): string {
    if (this.members[member] !== value) this.fail(member, `is required: the string "${value}"`);
    return this.keep(member, value);
  }

  /** A non-empty string; `uri`: an absolute URI. */
  string(member: string, options: { required?: boolean; uri?: boolean } = {}): string | undefined {
    const value = this.members[member];
    if (value === undefined) return options.required ? this.fail(member, `is required${options.uri ? ': a URI' : ''}`) : undefined;
    if (typeof value !== 'string' || value === '' || value.length > MAX_STRING) this.fail(member, `must be a non-empty string of at most ${MAX_STRING} characters`);
    if (options.uri && !ABSOLUTE_URI.test(value as string)) this.fail(member, 'must be an absolute URI');
    return this.keep(member, value as string);
  }

  /** An array of one or more non-empty strings (`uri`: absolute URIs, `url`: absolute http(s) URLs). */
  strings(member: string, options: { required?: boolean; uri?: boolean; url?: boolean } = {}): string[] | undefined {
    const value = this.members[member];
    if (value === undefined) return options.required ? this.fail(member, 'is required: an array of one or more strings') : undefined;
    if (!Array.isArray(value) || value.length === 0 || value.length > MAX_ITEMS || !value.every((v) => typeof v === 'string' && v !== '' && v.length <= MAX_STRING)) {
      this.fail(member, `must be an array of 1 to ${MAX_ITEMS} non-empty strings`);
    }
    const items = value as string[];
    if (options.uri && !items.every((v) => ABSOLUTE_URI.test(v))) this.fail(member, 'must hold absolute URIs');
    if (options.url && !items.every((v) => ABSOLUTE_URL.test(v))) this.fail(member, 'must hold absolute URLs');
    return this.keep(member, items);
  }

  /** A JSON object (a FHIR resource, for TEFCA). */
  jsonObject(member: string, options: { required?: boolean } = {}): Record<string, unknown> | undefined {
    const value = this.members[member];
    if (value === undefined) return options.required ? this.fail(member, 'is required: a JSON object') : undefined;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(member, 'must be a JSON object');
    return this.keep(member, value as Record<string, unknown>);
  }

  /** Fails when `member` is present without `other` (`consent_reference` only with `consent_policy`). */
  onlyWith(member: string, other: string): void {
    if (this.members[member] !== undefined && this.members[other] === undefined) this.fail(member, `is allowed only with ${other}`);
  }
}
