import { firstFormValue } from '../http/form-body.js';

const MAX_ID = 256;

function jwtPayload(jwt: string): Record<string, unknown> | undefined {
  const part = jwt.split('.')[1];
  if (!part || part.length > 16_384) return undefined;
  try {
    const payload = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    return typeof payload === 'object' && payload !== null && !Array.isArray(payload) ? (payload as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const usable = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' && value.length <= MAX_ID ? value : undefined);

/**
 * The client a request claims to come from, for rate-limit bucketing only:
 * nothing here is verified (the secret or signature is checked by the
 * service behind, after the limit). In order: the Basic user name
 * (RFC 6749 §2.3.1), a `client_id` form parameter, the `iss` of a
 * `client_assertion` (RFC 7523 §3), the `client_id` claim of a bearer
 * token (RFC 9068 §2.2, for introspection callers). A request that names
 * no client is limited per address only. `form` is the undecoded body: only
 * the parameters needed are decoded.
 */
export function claimedClientId(authorization: string | undefined, form: string): string | undefined {
  if (typeof authorization === 'string' && /^basic /i.test(authorization)) {
    const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) {
      try {
        return usable(decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' ')));
      } catch {
        return undefined;
      }
    }
    return undefined;
  }
  const fromForm = usable(firstFormValue(form, 'client_id'));
  if (fromForm) return fromForm;
  const assertion = firstFormValue(form, 'client_assertion');
  if (assertion) return usable(jwtPayload(assertion)?.iss);
  if (typeof authorization === 'string' && /^bearer /i.test(authorization)) return usable(jwtPayload(authorization.slice(7).trim())?.client_id);
  return undefined;
}
