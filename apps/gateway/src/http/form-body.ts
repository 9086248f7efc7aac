import type { FormParams } from '#contracts';
import { InvalidRequest } from '#oauth';

/**
 * Parses an `application/x-www-form-urlencoded` body. RFC 6749 §3.1/§3.2:
 * parameters sent without a value are treated as omitted, and a parameter
 * must not be included more than once.
 */
export function parseForm(raw: string): FormParams {
  const params: FormParams = {};
  for (const [name, value] of new URLSearchParams(raw)) {
    if (value === '') continue;
    if (Object.prototype.hasOwnProperty.call(params, name)) throw new InvalidRequest(`parameter "${name.slice(0, 64)}" is repeated`);
    params[name] = value;
  }
  return params;
}
