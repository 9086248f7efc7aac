import { Injectable, Logger } from '@nestjs/common';
import { Rpc, type TokenResponseBody } from '#contracts';
import { AssertionRejected, ClientAssertionVerifier, ServiceBus } from '#nest';
import { assertGrantTypeUsable, InvalidGrant, InvalidRequest, JWT_BEARER_GRANT_TYPE, OAuthError, ServerError, TemporarilyUnavailable, UnauthorizedClient } from '#oauth';
import { TokenConfig } from '../config/token.config.js';
import { AccessTokenIssuer } from '../tokens/access-token.issuer.js';
import { dpopBindingFor, tokenTypeFor } from '../dpop/dpop-binding.rule.js';
import { narrowToRegisteredScope } from './registered-scope.js';
import type { GrantContext, GrantHandler } from './grant-handler.js';

/**
 * RFC 7523 §2.1 JWT bearer authorization grant: a client's signed assertion
 * (`iss` = client_id, `sub` = a user of the authorization service, `aud` =
 * the token endpoint, the same `exp`/`jti` rules as client assertions) is
 * exchanged for an access token for that user, if the user's allow-list
 * names the client. Scopes narrow to what the client registered; no
 * refresh token, no launch context.
 */
@Injectable()
export class JwtBearerGrant implements GrantHandler {
  readonly grantType = JWT_BEARER_GRANT_TYPE;
  readonly parameters = ['assertion', 'scope'] as const;
  /** RFC 7523 §3.1: client authentication is optional with this grant (the assertion is signed by the client). */
  readonly requiresClientAuthentication = false;
  private readonly logger = new Logger('JwtBearerGrant');

  constructor(
    private readonly assertions: ClientAssertionVerifier,
    private readonly bus: ServiceBus,
    private readonly issuer: AccessTokenIssuer,
    private readonly config: TokenConfig,
  ) {}

  async handle({ params, client, proof, requestId }: GrantContext): Promise<TokenResponseBody> {
    const assertion = params.assertion;
    if (!assertion) throw new InvalidRequest('assertion is required');
    let verified;
    try {
      // An authenticated client may only present its own assertions.
      verified = await this.assertions.verify(assertion, { use: 'authorization_grant', endpoint: '/token', ...(client ? { clientId: client.client_id } : {}) });
    } catch (err: unknown) {
      // RFC 7523 §3.1: an assertion that is not valid is invalid_grant.
      if (err instanceof AssertionRejected) throw new InvalidGrant(`assertion: ${err.message}`);
      if (err instanceof OAuthError) throw err;
      this.logger.error(`jwt-bearer assertion could not be checked: ${(err as Error).message}`);
      throw new TemporarilyUnavailable('the assertion could not be checked; try again');
    }
    const grantClient = verified.client;
    if (!grantClient.metadata.grant_types.includes(this.grantType)) {
      throw new UnauthorizedClient('this client is not registered for the jwt-bearer grant');
    }
    // Trust tiers: a token for a user who is not there needs an administrator's approval of the grant type.
    assertGrantTypeUsable(grantClient, this.grantType);
    const jkt = dpopBindingFor(grantClient, proof);
    // Before asking who the user is: a scope that cannot be granted fails without a round trip.
    const scope = narrowToRegisteredScope(grantClient, params.scope, 'delegated');
    const user = await this.bus.request(Rpc.authorization.jwtBearerSubject, { client_id: grantClient.client_id, sub: verified.subject, requestId });
    if (typeof user?.sub !== 'string' || user.sub !== verified.subject || (user.fhirUser !== undefined && typeof user.fhirUser !== 'string')) {
      throw new ServerError('malformed jwt-bearer subject from the authorization service');
    }
    const issued = await this.issuer.issue({
      clientId: grantClient.client_id,
      subject: user.sub,
      scope,
      grantType: this.grantType,
      ttlSeconds: this.config.ACCESS_TOKEN_TTL_SECONDS,
      requestId,
      jkt,
      ...(user.fhirUser ? { extraClaims: { fhirUser: user.fhirUser } } : {}),
    });
    return { access_token: issued.token, token_type: tokenTypeFor(jkt), expires_in: issued.expiresIn, scope };
  }
}
