import { statementClaimProblems } from '#nest';
import { InvalidSoftwareStatement } from '#oauth';

export { MAX_STATEMENT_LIFETIME_SECONDS, STATEMENT_CLOCK_SKEW_SECONDS } from '#nest';

/** The claims of a software statement that identify it. */
export interface StatementIdentity {
  /** The client's URI: its certificate's SAN, which identifies the registration in its community. */
  iss: string;
  jti: string;
  exp: number;
}

/**
 * The JWT claims of a UDAP software statement (UDAP Security 2.0 §3.1, UDAP
 * Dynamic Client Registration §4), checked in order by the shared rules
 * (libs/nest udap/software-statement-rules.ts, which `smart-auth udap
 * inspect` runs too): the first one broken is the answer. Whether the `jti`
 * was used before is checked last, by the caller, once everything else
 * holds. Pure: the clock is a parameter.
 *
 * @throws InvalidSoftwareStatement
 */
export function checkStatementClaims(claims: Record<string, unknown>, certificateUris: readonly string[], registrationEndpoint: string, now: number): StatementIdentity {
  const [problem] = statementClaimProblems(claims, certificateUris, registrationEndpoint, now);
  if (problem) throw new InvalidSoftwareStatement(problem.message);
  return { iss: claims.iss as string, jti: claims.jti as string, exp: claims.exp as number };
}
