import { Inject, Injectable, Logger } from '@nestjs/common';
import { decodeJwt } from 'jose';
import { InvalidClientMetadata, InvalidToken, privilegesOf, secretMatchesHash, splitByCoverage, unionPrivileges } from '#oauth';
import type { ClientPrivileges } from '#contracts';
import { RegistrationConfig } from '../config/registration.config.js';
import { TRUST_CONFIGURATION, type TrustConfiguration } from '../config/trust-config.js';
import { ANONYMOUS, type Vouch } from './client-trust.js';
import { SoftwareStatements } from './software-statement.js';
import { looksLikeUdapStatement } from '../udap/udap-registration-request.js';

/** What a registration request brought to vouch for it, and the metadata a software statement asserts. */
export interface AssessedRegistration {
  vouch: Vouch;
  /** The plain JSON metadata with the statement's claims over it (RFC 7591 §3.1.1), or the input as it came. */
  metadata: unknown;
}

/**
 * Decides a registration's trust tier (issue #13): an initial access token
 * (RFC 7591 §3) or a software statement from a trusted issuer (RFC 7591 §2.3)
 * vouches for the privileges configured for it; nothing else does, except
 * REGISTRATION_AUTO_APPROVE in a test sandbox.
 */
@Injectable()
export class RegistrationTrust {
  private readonly logger = new Logger('RegistrationTrust');
  private readonly statements: SoftwareStatements;

  constructor(
    private readonly config: RegistrationConfig,
    @Inject(TRUST_CONFIGURATION) private readonly trust: TrustConfiguration,
  ) {
    this.statements = new SoftwareStatements(trust.softwareStatementIssuers);
  }

  /**
   * POST /register (`bearer`: the initial access token, if any) or an RFC 7592
   * update (`bearer` undefined: the registration access token is not an
   * initial access token).
   *
   * @throws InvalidToken for a missing (under the `initial-access-token` policy) or unknown initial access token.
   * @throws InvalidSoftwareStatement / UnapprovedSoftwareStatement (RFC 7591 §3.2.2).
   */
  async assess(input: unknown, bearer: string | undefined, kind: 'register' | 'update'): Promise<AssessedRegistration> {
    const vouches: Vouch[] = [];
    if (kind === 'register') {
      const token = this.initialAccessToken(bearer);
      if (token) vouches.push({ trust: 'initial-access-token', privileges: token });
    }
    let metadata = input;
    const statement = typeof input === 'object' && input !== null && !Array.isArray(input) ? (input as Record<string, unknown>).software_statement : undefined;
    if (statement !== undefined && statement !== null) {
      // UDAP Dynamic Client Registration §3: a statement signed with x5c from no configured issuer is a UDAP one without `udap`.
      if (looksLikeUdapStatement(statement) && !this.trust.softwareStatementIssuers.some((i) => i.issuer === unverifiedIssuer(statement))) {
        throw new InvalidClientMetadata('a software statement with x5c is a UDAP registration: the request must also say "udap": "1"');
      }
      const verified = await this.statements.verify(statement);
      metadata = { ...(input as Record<string, unknown>), ...verified.metadata };
      // The statement vouches for what it asserts itself, within what its issuer is trusted with.
      vouches.push({ trust: 'software-statement', softwareStatementIssuer: verified.issuer.issuer, privileges: vouchedByStatement(verified.metadata, verified.issuer.privileges) });
    }
    if (vouches.length === 0) {
      if (this.trust.autoApprove) return { vouch: { trust: 'auto-approve', privileges: 'all' }, metadata };
      return { vouch: ANONYMOUS, metadata };
    }
    return { vouch: vouches.reduce(combine), metadata };
  }

  /** The privileges the presented initial access token vouches for; null when none was presented under the open policy. */
  private initialAccessToken(bearer: string | undefined): ClientPrivileges | 'all' | null {
    if (bearer === undefined) {
      if (this.config.REGISTRATION_POLICY === 'initial-access-token') throw new InvalidToken('registration requires a valid initial access token');
      return null;
    }
    const match = this.trust.initialAccessTokens.find((t) => secretMatchesHash(bearer, t.sha256));
    if (!match) throw new InvalidToken('the initial access token is not valid');
    this.logger.debug(`registration vouched for by ${match.label}`);
    return match.privileges;
  }
}

/** The `iss` of a JWT, unverified (to tell a configured issuer's statement from a UDAP one). */
function unverifiedIssuer(statement: unknown): unknown {
  try {
    return decodeJwt(String(statement)).iss;
  } catch {
    return undefined;
  }
}

/** A statement vouches for the privileges it asserts itself, as far as its issuer is trusted with them. */
function vouchedByStatement(claims: Record<string, unknown>, issuerPrivileges: ClientPrivileges | 'all'): ClientPrivileges | 'all' {
  let asserted: ClientPrivileges;
  try {
    asserted = privilegesOf({
      scope: typeof claims.scope === 'string' ? claims.scope : '',
      grant_types: Array.isArray(claims.grant_types) ? claims.grant_types.filter((g): g is string => typeof g === 'string') : [],
    });
  } catch {
    return { scope: [], grant_types: [] }; // a malformed scope: the metadata validation that follows refuses it
  }
  return splitByCoverage(asserted, issuerPrivileges).covered;
}

function combine(a: Vouch, b: Vouch): Vouch {
  const privileges = a.privileges === 'all' || b.privileges === 'all' ? 'all' : unionPrivileges(a.privileges, b.privileges);
  return { trust: a.trust, privileges, ...(a.softwareStatementIssuer ?? b.softwareStatementIssuer ? { softwareStatementIssuer: a.softwareStatementIssuer ?? b.softwareStatementIssuer } : {}) };
}
