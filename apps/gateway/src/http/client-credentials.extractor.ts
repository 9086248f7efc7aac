import type { FormParams, PresentedClientAuth } from '#contracts';
import { hasForbiddenCharacters, InvalidClient, InvalidRequest, OAuthError } from '#oauth';

export const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** Parameters of client authentication; `udap` marks a UDAP Authentication Token (UDAP Security 2.0 §4.2.2, §5.2.2). */
const CREDENTIAL_PARAMS = ['client_id', 'client_secret', 'client_assertion_type', 'client_assertion', 'udap'];

function formDecode(value: string): string {
  // RFC 6749 §2.3.1: the id and secret are form-url-encoded before Basic encoding.
  return decodeURIComponent(value.replace(/\+/g, ' '));
}

function basicCredentials(header: string): { clientId: string; clientSecret: string } {
  const encoded = header.slice('basic '.length).trim();
  const decoded = /^[A-Za-z0-9+/]+={0,2}$/.test(encoded) ? Buffer.from(encoded, 'base64').toString('utf8') : '';
  const colon = decoded.indexOf(':');
  if (colon <= 0) throw new InvalidClient('malformed Basic credentials', { basic: true });
  let credentials: { clientId: string; clientSecret: string };
  try {
    credentials = { clientId: formDecode(decoded.slice(0, colon)), clientSecret: formDecode(decoded.slice(colon + 1)) };
  } catch {
    throw new InvalidClient('malformed Basic credentials', { basic: true });
  }
  // Issue #14: RFC 6749 Appendix A.1/A.2: a client id and secret are VSCHAR; a control character is a malformed request.
  if (hasForbiddenCharacters(credentials.clientId) || hasForbiddenCharacters(credentials.clientSecret)) {
    throw new InvalidRequest('the Basic credentials contain a control character');
  }
  return credentials;
}

/**
 * Client credentials as presented (RFC 6749 §2.3, RFC 7523 §2.2), and the
 * form parameters without them. More than one method is refused.
 */
export function extractClientAuth(authorization: string | undefined, form: FormParams): { auth: PresentedClientAuth; params: FormParams } {
  const params: FormParams = { ...form };
  for (const name of CREDENTIAL_PARAMS) delete params[name];
  const usesBasic = typeof authorization === 'string' && /^basic /i.test(authorization);
  const methods = [usesBasic, form.client_secret !== undefined, form.client_assertion !== undefined || form.client_assertion_type !== undefined].filter(Boolean).length;
  if (methods > 1) throw new InvalidRequest('use only one client authentication method');

  if (usesBasic) {
    const { clientId, clientSecret } = basicCredentials(authorization!);
    if (form.client_id !== undefined && form.client_id !== clientId) throw new InvalidRequest('client_id does not match the Basic credentials');
    return { auth: { method: 'client_secret_basic', clientId, clientSecret }, params };
  }
  if (form.client_assertion_type !== undefined || form.client_assertion !== undefined) {
    // SMART Backend Services / ONC: an invalid client_assertion_type is exactly 400.
    if (form.client_assertion_type !== JWT_BEARER_ASSERTION) throw new OAuthError('invalid_client', 400, 'unsupported client_assertion_type');
    if (!form.client_assertion) throw new InvalidRequest('client_assertion is required with client_assertion_type');
    return {
      auth: {
        method: 'private_key_jwt',
        assertionType: form.client_assertion_type,
        assertion: form.client_assertion,
        ...(form.client_id ? { clientId: form.client_id } : {}),
        ...(form.udap !== undefined ? { udap: form.udap } : {}),
      },
      params,
    };
  }
  if (form.client_secret !== undefined) {
    if (!form.client_id) throw new InvalidRequest('client_id is required with client_secret');
    return { auth: { method: 'client_secret_post', clientId: form.client_id, clientSecret: form.client_secret }, params };
  }
  if (form.client_id !== undefined) return { auth: { method: 'none', clientId: form.client_id }, params };
  return { auth: { method: 'absent' }, params };
}

/** The bearer token of an `Authorization: Bearer` header (RFC 6750 §2.1), if any. */
export function bearerToken(authorization: string | undefined): string | undefined {
  if (typeof authorization !== 'string' || !/^bearer /i.test(authorization)) return undefined;
  const token = authorization.slice('bearer '.length).trim();
  return token === '' ? undefined : token;
}
