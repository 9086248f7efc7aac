import { Inject, Injectable } from '@nestjs/common';
import { Rpc, type ActiveTokenClaims } from '#contracts';
import { InsufficientScope, InvalidToken } from '#oauth';
import { ServiceBus } from '../messaging/service-bus.js';

/**
 * RFC 6750 bearer tokens on the browser-facing and admin APIs of any
 * service, checked by the introspection service (`introspection.v1.verify`:
 * signature, expiry, revoked token or grant, deleted client).
 */
@Injectable()
export class BearerTokens {
  constructor(@Inject(ServiceBus) private readonly bus: ServiceBus) {}

  /** The active token's claims; 401 invalid_token when absent or inactive. */
  async require(req: { authorization?: string }): Promise<ActiveTokenClaims> {
    const header = req.authorization;
    const token = typeof header === 'string' && /^bearer /i.test(header) ? header.slice(7).trim() : '';
    if (!token) throw new InvalidToken('a bearer access token is required');
    const answer = await this.bus.request(Rpc.introspection.verify, { token });
    if (!answer.active) throw new InvalidToken('the access token is not active');
    // RFC 9449 §7.2: a DPoP-bound token is not a bearer token; these endpoints do not check DPoP proofs.
    if (answer.claims.cnf !== undefined) throw new InvalidToken('a DPoP-bound access token cannot be used as a bearer token');
    return answer.claims;
  }

  /** As `require`, and the token must carry one of `scopes` (403 insufficient_scope otherwise). */
  async requireScope(req: { authorization?: string }, scopes: string[]): Promise<ActiveTokenClaims> {
    const claims = await this.require(req);
    const held = claims.scope.split(' ');
    if (!scopes.some((s) => held.includes(s))) throw new InsufficientScope(`this needs the ${scopes.join(' or ')} scope`, { scope: scopes[0] });
    return claims;
  }
}
