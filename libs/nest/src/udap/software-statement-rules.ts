import type { UdapRuleProblem } from './udap-rule-problem.js';

/** UDAP Security 2.0 §3.1: `exp` no more than five minutes after `iat`. */
export const MAX_STATEMENT_LIFETIME_SECONDS = 300;
/** Clock skew allowed on `exp`, `iat` and `nbf`. */
export const STATEMENT_CLOCK_SKEW_SECONDS = 60;
const MAX_ISS_LENGTH = 1024;
const MAX_JTI_LENGTH = 256;

const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * Every rule the JWT claims of a UDAP software statement break (UDAP Security
 * 2.0 §3.1, UDAP Dynamic Client Registration §4), in the order the
 * registration endpoint checks them: `iss` a uniformResourceIdentifier SAN of
 * the certificate that signed it (compared as case-sensitive strings, §7.1.4),
 * `sub` = `iss`, `aud` the registration endpoint (any one URL when
 * `registrationEndpoint` is not known), `iat` present and not ahead of the
 * clock, `exp` present, not passed and at most five minutes after `iat`,
 * `nbf` (if any) passed, a `jti`. Whether the `jti` was used before is the
 * registration endpoint's to say. Empty: none broken. Pure.
 */
export function statementClaimProblems(claims: Record<string, unknown>, certificateUris: readonly string[], registrationEndpoint: string | undefined, now: number): UdapRuleProblem[] {
  const problems: UdapRuleProblem[] = [];
  const broken = (rule: string, message: string) => problems.push({ rule, error: 'invalid_software_statement', message });
  const { iss, sub, aud, exp, iat, nbf, jti } = claims;
  if (typeof iss !== 'string' || iss === '' || iss.length > MAX_ISS_LENGTH) broken('iss-required', 'iss is required: the client URI named in its certificate');
  else if (!certificateUris.includes(iss)) broken('iss-is-certificate-san', 'iss must be a uniformResourceIdentifier subject alternative name of the x5c certificate');
  if (sub !== iss) broken('sub-equals-iss', 'sub must equal iss');
  const audiences = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
  if (registrationEndpoint !== undefined ? audiences.length !== 1 || audiences[0] !== registrationEndpoint : audiences.length !== 1 || !/^https?:\/\/\S+$/.test(String(audiences[0]))) {
    broken('aud-is-registration-endpoint', `aud must be the registration endpoint${registrationEndpoint !== undefined ? ` ${registrationEndpoint}` : ' (one URL)'}`);
  }
  if (!isTime(iat)) broken('iat-required', 'iat is required');
  else if (iat > now + STATEMENT_CLOCK_SKEW_SECONDS) broken('iat-not-in-future', 'iat is in the future');
  if (!isTime(exp)) broken('exp-required', 'exp is required');
  else if (exp <= now - STATEMENT_CLOCK_SKEW_SECONDS) broken('exp-not-passed', 'the software statement has expired (exp)');
  else if (isTime(iat) && exp - iat > MAX_STATEMENT_LIFETIME_SECONDS) broken('exp-within-5-minutes-of-iat', `exp must be at most ${MAX_STATEMENT_LIFETIME_SECONDS} seconds after iat`);
  if (nbf !== undefined && (!isTime(nbf) || nbf > now + STATEMENT_CLOCK_SKEW_SECONDS)) broken('nbf-passed', 'the software statement is not valid yet (nbf)');
  if (typeof jti !== 'string' || jti === '' || jti.length > MAX_JTI_LENGTH) broken('jti-required', `jti is required (at most ${MAX_JTI_LENGTH} characters)`);
  return problems;
}
