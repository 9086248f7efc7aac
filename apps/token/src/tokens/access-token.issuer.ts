import { Inject, Injectable, Logger } from '@nestjs/common';
import { EventBus, SigningKeyRing, suiteMetrics } from '#nest';
import { TemporarilyUnavailable, uniqueId } from '#oauth';
import type { LaunchContextClaims, TokenAuthorizationExtensions } from '#contracts';
import { TokenConfig } from '../config/token.config.js';

/**
 * Claims of a user's grant signed into its access tokens: the SMART launch
 * context and the user's FHIR identity, so introspection can echo them
 * (SMART App Launch 2.2 token-introspection.html: the launch context of the
 * token response, and `fhirUser`).
 */
export type AccessTokenContext = LaunchContextClaims;

export interface AccessTokenRequest {
  clientId: string;
  subject: string;
  scope: string;
  grantType: string;
  ttlSeconds: number;
  requestId?: string;
  /** Launch context and identity claims (patient, encounter, fhirContext, …, fhirUser); never overrides a registered claim. */
  extraClaims?: AccessTokenContext;
  /**
   * The user's grant the token belongs to: signed as the `grant_id` claim
   * (revoking the grant revokes the token) and announced with `token.issued`.
   */
  grantId?: string;
  /** RFC 9449 §6.1: the thumbprint of the DPoP key the token is bound to, signed as `cnf.jkt`. */
  jkt?: string;
  /** UDAP Security 2.0 §5.2.1.1: the Authorization Extension Objects the client asserted, signed as the `extensions` claim. */
  extensions?: Record<string, Record<string, unknown>>;
  /** Their summary for `token.issued` (purpose of use, organization, requestor). */
  authorizationExtensions?: TokenAuthorizationExtensions;
}

export interface IssuedAccessToken {
  token: string;
  jti: string;
  expiresIn: number;
}

/**
 * Mints RFC 9068 JWT access tokens (`typ: at+jwt`) and announces each one as
 * `token.issued` before handing it out: a token the audit trail does not
 * know about is never returned.
 */
@Injectable()
export class AccessTokenIssuer {
  private readonly logger = new Logger('AccessTokenIssuer');
  private readonly issued = suiteMetrics().tokensIssued;

  constructor(
    private readonly config: TokenConfig,
    private readonly keys: SigningKeyRing,
    @Inject(EventBus) private readonly events: EventBus,
  ) {}

  /** Throws `temporarily_unavailable` now if no access token could be signed. */
  checkSignable(): void {
    this.keys.current(this.config.ACCESS_TOKEN_ALG);
  }

  async issue(request: AccessTokenRequest): Promise<IssuedAccessToken> {
    const key = this.keys.current(this.config.ACCESS_TOKEN_ALG);
    const iat = Math.floor(Date.now() / 1000);
    const exp = iat + request.ttlSeconds;
    const jti = uniqueId(16); // 128 bits
    const aud = this.config.FHIR_BASE_URL;
    // RFC 9068 §2.2: iss, exp, aud, sub, client_id, iat, jti; plus scope (§2.2.3).
    const grant = request.grantId === undefined ? {} : { grant_id: request.grantId };
    const cnf = request.jkt === undefined ? {} : { cnf: { jkt: request.jkt } };
    const extensions = request.extensions === undefined ? {} : { extensions: request.extensions };
    const token = await key.sign(
      { ...request.extraClaims, ...grant, ...cnf, ...extensions, iss: this.config.ISSUER, sub: request.subject, aud, client_id: request.clientId, scope: request.scope, jti, iat, exp },
      'at+jwt',
    );
    const patient = request.extraClaims?.patient;
    try {
      await this.events.publish(
        'token.issued',
        {
          jti,
          client_id: request.clientId,
          sub: request.subject,
          grant_type: request.grantType,
          scope: request.scope,
          aud,
          iat,
          exp,
          kid: key.kid,
          ...grant,
          ...(patient === undefined ? {} : { patient }),
          ...(request.authorizationExtensions === undefined ? {} : { authorization_extensions: request.authorizationExtensions }),
        },
        { source: 'token', requestId: request.requestId },
      );
    } catch (err: unknown) {
      this.logger.error(`token.issued for ${jti} could not be published, so the token was not handed out: ${(err as Error).message}`);
      throw new TemporarilyUnavailable('the token could not be recorded; try again');
    }
    this.issued.inc({ grant_type: request.grantType });
    return { token, jti, expiresIn: request.ttlSeconds };
  }
}
