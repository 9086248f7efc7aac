/**
 * Characters no parameter of this server may carry: the C0 controls
 * (U+0000–U+001F, tab and line breaks included: no parameter of OAuth 2.0,
 * OIDC, SMART or RFC 7591 metadata is multi-line), DEL (U+007F) and unpaired
 * UTF-16 surrogates. RFC 6749 Appendix A limits most OAuth parameters to
 * VSCHAR (%x20-7E) or printable Unicode; PostgreSQL refuses U+0000 in `text`
 * and `jsonb` and an unpaired surrogate in `jsonb`, so such input could
 * otherwise only surface as an outage. Issue #14.
 */
// eslint-disable-next-line no-control-regex -- matching the C0 controls is this pattern's purpose
const FORBIDDEN = /[\u0000-\u001f\u007f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * The same characters as they appear in `application/x-www-form-urlencoded`
 * text before decoding (a query string or form body): a raw control byte, or
 * a percent-escape of one (`%00`–`%1F`, `%7F`). Percent-decoding yields a C0
 * control or DEL only from these (a multi-byte UTF-8 sequence never decodes
 * to one, invalid ones become U+FFFD), and never an unpaired surrogate; so a
 * query or form is checked without decoding it (URL Standard §5.1).
 */
// eslint-disable-next-line no-control-regex -- matching the C0 controls is this pattern's purpose
const FORBIDDEN_ENCODED = /[\u0000-\u001f\u007f]|%[01][0-9a-f]|%7f/i;

/** Whether `value` contains a C0 control, DEL or an unpaired surrogate. */
export function hasForbiddenCharacters(value: string): boolean {
  return FORBIDDEN.test(value);
}

/** Whether form-urlencoded text would decode to a C0 control or DEL (see {@link hasForbiddenCharacters}). */
export function hasForbiddenEncodedCharacters(formUrlEncoded: string): boolean {
  return FORBIDDEN_ENCODED.test(formUrlEncoded);
}

/**
 * The first string in a parsed JSON value (member names included) with a
 * forbidden character, as a JSONPath-like location (`$.jwks.keys[0].kid`), or
 * undefined. Iterative: the depth is bounded by the parser already, but the
 * walk stays off the stack anyway.
 */
export function forbiddenCharactersIn(json: unknown): string | undefined {
  const pending: Array<[unknown, string]> = [[json, '$']];
  while (pending.length > 0) {
    const [value, where] = pending.pop()!;
    if (typeof value === 'string') {
      if (FORBIDDEN.test(value)) return where;
    } else if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) pending.push([value[i], `${where}[${i}]`]);
    } else if (typeof value === 'object' && value !== null) {
      for (const [name, member] of Object.entries(value)) {
        if (FORBIDDEN.test(name)) return `${where} (a member name)`;
        pending.push([member, /^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(name) ? `${where}.${name}` : `${where}[…]`]);
      }
    }
  }
  return undefined;
}
