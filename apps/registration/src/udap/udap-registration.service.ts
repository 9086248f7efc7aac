import { Inject, Injectable } from '@nestjs/common';
import type { UdapRegisterRequest, UdapRegistrationAnswer } from '#contracts';
import { AssertionReplayStore, CertificateRejected, CertificateTrust, CrlFetcher, CrlRevocation, OutboundAddressPolicy, readX5cSignedJwt, X5cJwtRejected, type CertificationPath, type X5cSignedJwt } from '#nest';
import { InvalidSoftwareStatement, TemporarilyUnavailable, UnapprovedSoftwareStatement } from '#oauth';
import { RegistrationConfig } from '../config/registration.config.js';
import { validateRegistration } from '../clients/registration-policy.js';
import { checkStatementClaims, STATEMENT_CLOCK_SKEW_SECONDS } from './software-statement-claims.js';
import { UdapClientRegistrations } from './udap-client-registrations.js';
import { udapRegistrationIntent } from './udap-client-metadata.js';
import { UDAP_CONFIGURATION, type UdapConfiguration } from './udap-configuration.js';
import { parseUdapRegistrationBody } from './udap-registration-request.js';

/**
 * UDAP trusted dynamic client registration (UDAP Security 2.0 §3, UDAP
 * Dynamic Client Registration §4), checked in the order of the profile: the
 * request (`udap: "1"`), the statement's signature with its `x5c` leaf, its
 * claims, the registration metadata, the certificate's path to a configured
 * trust anchor and its revocation, and last the `jti`, so a statement that
 * fails any other check spends nothing. The statement's community decides
 * which privileges are approved at once (trust tier `udap`).
 */
@Injectable()
export class UdapRegistration {
  private readonly trust: CertificateTrust | null;

  constructor(
    private readonly config: RegistrationConfig,
    @Inject(UDAP_CONFIGURATION) private readonly udap: UdapConfiguration | null,
    private readonly replays: AssertionReplayStore,
    private readonly registrations: UdapClientRegistrations,
  ) {
    this.trust = udap
      ? new CertificateTrust(
          udap.communities.map((c) => c.anchor),
          new CrlRevocation(new CrlFetcher(new OutboundAddressPolicy({ allowPrivate: false, allowedHosts: udap.crlAllowedHosts }))),
        )
      : null;
  }

  /**
   * @throws InvalidSoftwareStatement, UnapprovedSoftwareStatement, InvalidClientMetadata, InvalidRedirectUri (400);
   *   TemporarilyUnavailable when the replay store does not answer.
   */
  async register(request: UdapRegisterRequest): Promise<UdapRegistrationAnswer> {
    const { softwareStatement } = parseUdapRegistrationBody(request.body);
    if (!this.udap || !this.trust) throw new UnapprovedSoftwareStatement('this server trusts no UDAP community (UDAP registration is not configured)');
    const signed = await this.read(softwareStatement);
    const identity = checkStatementClaims(signed.payload, signed.leaf.uris(), `${this.config.ISSUER}/register`, Math.floor(Date.now() / 1000));
    const intent = udapRegistrationIntent(signed.payload);
    const validated = intent.kind === 'register' ? validateRegistration(intent.metadata, { keysFromCertificate: true }) : null;
    const path = await this.trusted(signed);
    const community = this.udap.communities.find((c) => c.anchor.sha256 === path.anchor.sha256)!;
    // UDAP Security 2.0 §7.1.4: a jti is not accepted twice from one iss before the statement expires.
    let first: boolean;
    try {
      first = await this.replays.firstUse(`udap-software-statement:${identity.iss}:${identity.jti}`, identity.exp + STATEMENT_CLOCK_SKEW_SECONDS);
    } catch {
      throw new TemporarilyUnavailable('the replay check is unavailable; try again');
    }
    if (!first) throw new InvalidSoftwareStatement('jti has already been used');
    return this.registrations.apply({
      softwareStatement,
      identity: {
        iss: identity.iss,
        anchor_sha256: path.anchor.sha256,
        ...(community.uri ? { community: community.uri } : {}),
        certificate_sha256: signed.leaf.sha256,
        public_jwk: signed.leaf.publicKey.export({ format: 'jwk' }) as Record<string, unknown>,
      },
      vouch: { trust: 'udap', privileges: community.privileges },
      validated,
      requestId: request.requestId,
    });
  }

  private async read(statement: string): Promise<X5cSignedJwt> {
    try {
      return await readX5cSignedJwt(statement);
    } catch (err: unknown) {
      if (err instanceof X5cJwtRejected) throw new InvalidSoftwareStatement(`software_statement: ${err.message}`);
      throw err;
    }
  }

  /** UDAP Dynamic Client Registration §4: a certificate that is not trusted is `unapproved_software_statement`. */
  private async trusted(signed: X5cSignedJwt): Promise<CertificationPath> {
    try {
      return await this.trust!.validate(signed.leaf, signed.intermediates);
    } catch (err: unknown) {
      if (!(err instanceof CertificateRejected)) throw err;
      if (err.problem === 'malformed') throw new InvalidSoftwareStatement(err.message);
      throw new UnapprovedSoftwareStatement(err.message);
    }
  }
}
