/**
 * The parameters of a request (query or form) as OAuth reads them: one value
 * of each; repeated parameters are reported, empty ones are absent (RFC 6749 §3.1).
 */
export class RequestParams {
  readonly repeated: string[] = [];
  private readonly values = new Map<string, string>();

  constructor(source: Record<string, string | string[]> | undefined) {
    for (const [name, value] of Object.entries(source ?? {})) {
      if (Array.isArray(value)) {
        const present = value.filter((v) => typeof v === 'string' && v !== '');
        if (present.length > 1) this.repeated.push(name);
        if (present.length >= 1) this.values.set(name, present[0]!);
      } else if (typeof value === 'string' && value !== '') {
        this.values.set(name, value);
      }
    }
  }

  get(name: string): string | undefined {
    return this.values.get(name);
  }

  /** All values of a field that may legitimately repeat (checkbox groups). */
  static all(source: Record<string, string | string[]> | undefined, name: string): string[] {
    const value = source?.[name];
    if (value === undefined) return [];
    return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string' && v !== '');
  }

  /** The names of the parameters present (a repeated one once). */
  names(): string[] {
    return [...this.values.keys()];
  }

  toRecord(): Record<string, string> {
    return Object.fromEntries(this.values);
  }
}
