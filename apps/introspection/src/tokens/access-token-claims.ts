import { launchContextClaimsOf, type ActiveTokenClaims, type AuthorizationExtensionsClaim, type IntrospectionResponseBody } from '#contracts';

/**
 * The claims of one of our RFC 9068 access tokens, as this service relies on
 * them (the contract other services receive from `introspection.v1.verify`).
 * `grant_id` is never echoed by introspection.
 */
export type AccessTokenClaims = ActiveTokenClaims;

const isString = (v: unknown): v is string => typeof v === 'string';
const isObjectOf = (v: unknown, each: (member: unknown) => boolean = () => true): boolean =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((member) => each(member));
const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * Reads the claims RFC 9068 §2.2 requires (plus `scope`) from a verified
 * payload; null when any is missing or mistyped, so such a token is inactive.
 */
export function accessTokenClaimsOf(payload: Record<string, unknown>): AccessTokenClaims | null {
  const { iss, sub, aud, client_id, scope, jti, iat, exp } = payload;
  if (!isString(iss) || !isString(sub) || !isString(client_id) || !isString(scope) || !isString(jti) || !isTime(iat) || !isTime(exp)) return null;
  if (!isString(aud) && !(Array.isArray(aud) && aud.length > 0 && aud.every(isString))) return null;
  // A grant_id that is not a string could not be matched against grant revocations.
  const { grant_id } = payload;
  if (grant_id !== undefined && !isString(grant_id)) return null;
  const claims: AccessTokenClaims = { iss, sub, aud, client_id, scope, jti, iat, exp };
  if (grant_id !== undefined) claims.grant_id = grant_id;
  // RFC 9449 §6.1: a confirmation that cannot be read could not be checked by a resource server.
  const { cnf } = payload;
  if (cnf !== undefined) {
    const jkt = (cnf as { jkt?: unknown } | null)?.jkt;
    if (typeof cnf !== 'object' || !isString(jkt)) return null;
    claims.cnf = { jkt };
  }
  // UDAP Security 2.0 §5.2.1.1: the authorization context the client asserted, object by object.
  const { extensions } = payload;
  if (extensions !== undefined) {
    if (!isObjectOf(extensions, isObjectOf)) return null;
    claims.extensions = extensions as AuthorizationExtensionsClaim;
  }
  // The launch context, read through the one codec (well-typed claims only).
  return Object.assign(claims, launchContextClaimsOf(payload));
}

/** RFC 7662 §2.2 answer for an active token: what it grants, and nothing that was not issued. */
export function activeIntrospectionResponse(claims: AccessTokenClaims): IntrospectionResponseBody {
  const response: IntrospectionResponseBody = {
    active: true,
    scope: claims.scope,
    client_id: claims.client_id,
    sub: claims.sub,
    exp: claims.exp,
    iat: claims.iat,
    iss: claims.iss,
    aud: claims.aud,
    // RFC 9449 §6.2: a bound token is introspected as DPoP, with its confirmation.
    token_type: claims.cnf ? 'DPoP' : 'Bearer',
    jti: claims.jti,
    ...(claims.cnf ? { cnf: { jkt: claims.cnf.jkt } } : {}),
    // A UDAP client's asserted authorization context: what the token may be used for (UDAP Security 2.0 §5.2.2).
    ...(claims.extensions ? { extensions: claims.extensions } : {}),
  };
  // SMART token-introspection.html: the launch context of the token response is echoed.
  return Object.assign(response, launchContextClaimsOf(claims));
}

/** Whether a scope string carries the right to introspect any client's tokens. */
export function grantsIntrospection(scope: string | undefined): boolean {
  if (!scope) return false;
  const scopes = scope.split(' ');
  return scopes.includes('introspect') || scopes.includes('admin');
}
