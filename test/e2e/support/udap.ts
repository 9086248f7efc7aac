import type { JWTPayload } from 'jose';
import { signX5cJwt, type RunningSuite, type TestCertificate } from '#testing';
import { form, type Reply } from './http.js';

export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/**
 * A UDAP Authentication Token (UDAP Security 2.0 §4.2.1, §5.2.1): `iss` =
 * `sub` = the client_id, `aud` the endpoint, five minutes, a fresh `jti`,
 * signed by `signer` with `x5c` = the signer and `chain`; `claims` override.
 */
export function authenticationToken(clientId: string, aud: string, signer: TestCertificate, chain: TestCertificate[], claims: JWTPayload = {}): Promise<string> {
  return signX5cJwt({ iss: clientId, sub: clientId, aud, ...claims }, signer, chain);
}

/**
 * POSTs `params` to `path` authenticated by a UDAP Authentication Token
 * (§4.2.2, §5.2.2: `client_assertion_type`, `client_assertion`, `udap=1`; no
 * Authorization header); `udap: undefined` in `params` leaves it out.
 */
export function udapPost(suite: RunningSuite, path: string, assertion: string, params: Record<string, string | undefined>): Promise<Reply> {
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries({ udap: '1', ...params, client_assertion_type: JWT_BEARER, client_assertion: assertion })) if (value !== undefined) fields[name] = value;
  return form(suite, path, fields);
}

/** The claims of a JWT (no verification: the suite's tokens, read back). */
export function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}
