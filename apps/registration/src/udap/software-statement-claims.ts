import { InvalidSoftwareStatement } from '#oauth';

/** UDAP Security 2.0 §3.1: `exp` no more than five minutes after `iat`. */
export const MAX_STATEMENT_LIFETIME_SECONDS = 300;
/** Clock skew allowed on `exp`, `iat` and `nbf`. */
export const STATEMENT_CLOCK_SKEW_SECONDS = 60;
const MAX_ISS_LENGTH = 1024;
const MAX_JTI_LENGTH = 256;

/** The claims of a software statement that identify it. */
export interface StatementIdentity {
  /** The client's URI: its certificate's SAN, which identifies the registration in its community. */
  iss: string;
  jti: string;
  exp: number;
}

const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * The JWT claims of a UDAP software statement (UDAP Security 2.0 §3.1, UDAP
 * Dynamic Client Registration §4), in order: `iss` is a uniformResourceIdentifier
 * SAN of the certificate that signed it, `sub` = `iss`, `aud` the registration
 * endpoint, `iat` present and not ahead of the clock, `exp` present, not
 * passed and at most five minutes after `iat`, `nbf` (if any) passed, and a
 * `jti`. Whether the `jti` was used before is checked last, by the caller,
 * once everything else holds. Pure: the clock is a parameter.
 *
 * @throws InvalidSoftwareStatement
 */
export function checkStatementClaims(claims: Record<string, unknown>, certificateUris: readonly string[], registrationEndpoint: string, now: number): StatementIdentity {
  const { iss, sub, aud, exp, iat, nbf, jti } = claims;
  if (typeof iss !== 'string' || iss === '' || iss.length > MAX_ISS_LENGTH) throw new InvalidSoftwareStatement('iss is required: the client URI named in its certificate');
  // §7.1.4 (URI values compared as case-sensitive strings, no normalisation).
  if (!certificateUris.includes(iss)) throw new InvalidSoftwareStatement('iss must be a uniformResourceIdentifier subject alternative name of the x5c certificate');
  if (sub !== iss) throw new InvalidSoftwareStatement('sub must equal iss');
  const audiences = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
  if (audiences.length !== 1 || audiences[0] !== registrationEndpoint) throw new InvalidSoftwareStatement(`aud must be the registration endpoint ${registrationEndpoint}`);
  if (!isTime(iat)) throw new InvalidSoftwareStatement('iat is required');
  if (iat > now + STATEMENT_CLOCK_SKEW_SECONDS) throw new InvalidSoftwareStatement('iat is in the future');
  if (!isTime(exp)) throw new InvalidSoftwareStatement('exp is required');
  if (exp <= now - STATEMENT_CLOCK_SKEW_SECONDS) throw new InvalidSoftwareStatement('the software statement has expired (exp)');
  if (exp - iat > MAX_STATEMENT_LIFETIME_SECONDS) throw new InvalidSoftwareStatement(`exp must be at most ${MAX_STATEMENT_LIFETIME_SECONDS} seconds after iat`);
  if (nbf !== undefined && (!isTime(nbf) || nbf > now + STATEMENT_CLOCK_SKEW_SECONDS)) throw new InvalidSoftwareStatement('the software statement is not valid yet (nbf)');
  if (typeof jti !== 'string' || jti === '' || jti.length > MAX_JTI_LENGTH) throw new InvalidSoftwareStatement(`jti is required (at most ${MAX_JTI_LENGTH} characters)`);
  return { iss, jti, exp };
}
