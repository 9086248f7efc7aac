import { createLocalJWKSet, createRemoteJWKSet, decodeJwt, decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { InvalidSoftwareStatement, TemporarilyUnavailable, UnapprovedSoftwareStatement } from '#oauth';
import type { TrustedIssuer } from '../config/trust-config.js';

/** Signature algorithms accepted on a software statement (RFC 7591 §2.3: a JWS; none and HMAC are refused). */
const STATEMENT_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'];

/** Longest software statement read. */
const MAX_STATEMENT_LENGTH = 16_384;

/** Clock skew allowed on `iat`, `nbf` and `exp`. */
const CLOCK_TOLERANCE_SECONDS = 60;

/** JWT claims that describe the statement itself, not the client: never taken as client metadata. */
const JWT_ONLY_CLAIMS: readonly string[] = ['iss', 'sub', 'aud', 'exp', 'iat', 'nbf', 'jti'];

/** A software statement whose signature and lifetime checked out. */
export interface VerifiedStatement {
  issuer: TrustedIssuer;
  /** Client metadata the statement asserts (RFC 7591 §2.3); these take precedence over the plain JSON (§3.1.1). */
  metadata: Record<string, unknown>;
}

/**
 * RFC 7591 §2.3 software statements: a JWT signed by an issuer this server
 * trusts (an app store, an EHR vendor) that vouches for the client metadata it
 * carries. An issuer that is not configured gets `unapproved_software_statement`,
 * a statement that does not verify `invalid_software_statement` (§3.2.2).
 */
export class SoftwareStatements {
  private readonly keys = new Map<string, JWTVerifyGetKey>();

  constructor(private readonly issuers: readonly TrustedIssuer[]) {
    for (const issuer of issuers) {
      this.keys.set(
        issuer.issuer,
        issuer.jwks
          ? createLocalJWKSet(issuer.jwks as Parameters<typeof createLocalJWKSet>[0])
          : createRemoteJWKSet(new URL(issuer.jwksUri!), { timeoutDuration: 3000, cooldownDuration: 10_000, cacheMaxAge: 10 * 60_000 }),
      );
    }
  }

  async verify(statement: unknown): Promise<VerifiedStatement> {
    if (typeof statement !== 'string' || statement.length > MAX_STATEMENT_LENGTH || statement.split('.').length !== 3) {
      throw new InvalidSoftwareStatement('software_statement must be a signed JWT (RFC 7591 §2.3)');
    }
    let unverified: JWTPayload;
    try {
      const header = decodeProtectedHeader(statement);
      if (typeof header.alg !== 'string' || !STATEMENT_ALGS.includes(header.alg)) throw new Error('alg');
      unverified = decodeJwt(statement);
    } catch {
      throw new InvalidSoftwareStatement('software_statement is not a JWT signed with an asymmetric algorithm');
    }
    const issuer = this.issuers.find((i) => i.issuer === unverified.iss);
    if (!issuer) throw new UnapprovedSoftwareStatement('the issuer of this software statement is not trusted here');
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(statement, this.keys.get(issuer.issuer)!, {
        issuer: issuer.issuer,
        algorithms: STATEMENT_ALGS,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
      }));
    } catch (err: unknown) {
      if (err instanceof joseErrors.JWKSTimeout || (err instanceof Error && /fetch|network|ECONN/i.test(err.message))) {
        throw new TemporarilyUnavailable('the software statement issuer\'s keys cannot be fetched now; try again');
      }
      throw new InvalidSoftwareStatement(`the software statement does not verify: ${err instanceof joseErrors.JOSEError ? err.code : 'invalid'}`);
    }
    if (typeof payload.iat === 'number' && payload.iat > Math.floor(Date.now() / 1000) + CLOCK_TOLERANCE_SECONDS) {
      throw new InvalidSoftwareStatement('the software statement was issued in the future');
    }
    const metadata = Object.fromEntries(Object.entries(payload).filter(([claim]) => !JWT_ONLY_CLAIMS.includes(claim)));
    return { issuer, metadata };
  }
}
