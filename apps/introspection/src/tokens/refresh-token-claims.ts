import { launchContextClaimsOf, type IntrospectionResponseBody } from '#contracts';

const isString = (v: unknown): v is string => typeof v === 'string' && v !== '';
const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** What a refresh token answers to an authorized caller: its client, to check who may see it, and the response. */
export interface ActiveRefreshToken {
  clientId: string;
  response: IntrospectionResponseBody;
}

/**
 * The authorization service's `authorization.v1.refresh.introspect` answer
 * (JSON from the bus, so checked) as RFC 7662 §2.2 says it: `active`,
 * `client_id`, `scope`, `sub`, `iat`, `exp`, our `iss`, `token_type`
 * `refresh_token`, and the launch context and `fhirUser` as the grant's
 * access tokens carry them (SMART token-introspection.html). Null for an
 * inactive token, and for a malformed answer (nothing is said that was not
 * checked).
 */
export function activeRefreshToken(answer: unknown, issuer: string): ActiveRefreshToken | null {
  if (typeof answer !== 'object' || answer === null) return null;
  const a = answer as Record<string, unknown>;
  if (a.active !== true) return null;
  const { client_id, sub, scope, iat, exp } = a;
  if (!isString(client_id) || !isString(sub) || typeof scope !== 'string' || !isTime(iat) || !isTime(exp)) return null;
  return {
    clientId: client_id,
    response: { active: true, client_id, scope, sub, exp, iat, iss: issuer, token_type: 'refresh_token', ...launchContextClaimsOf(a) },
  };
}
