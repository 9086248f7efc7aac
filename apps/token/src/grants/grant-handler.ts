import type { ClientRecord, FormParams, TokenResponseBody } from '#contracts';
import type { VerifiedAssertion, VerifiedProof } from '#nest';
import { InvalidClient, UnauthorizedClient } from '#oauth';

export interface GrantContext {
  /** Only the parameters the handler declared (RFC 6749 §3.2: the rest are ignored). */
  params: FormParams;
  /**
   * The authenticated client. `null` only for a grant that does not require
   * client authentication when the request carried none.
   */
  client: ClientRecord | null;
  /** The request's DPoP proof, checked (RFC 9449 §4.3); absent without one. */
  proof?: VerifiedProof;
  /** The assertion the client authenticated with, verified (its claims: a UDAP token's `extensions`); absent for other methods. */
  assertion?: VerifiedAssertion;
  requestId?: string;
}

/**
 * One grant type (STYLE pattern 1). Handlers are found by `grantType` in the
 * registry; adding a grant touches no core code.
 */
export interface GrantHandler {
  readonly grantType: string;
  /** Parameters this grant reads; anything else is ignored (RFC 6749 §3.2). */
  readonly parameters: readonly string[];
  /**
   * RFC 6749 §3.2.1: whether the client must identify itself (by its
   * registered method, `none` included). When false, credentials that are
   * presented are still checked.
   */
  readonly requiresClientAuthentication: boolean;
  handle(context: GrantContext): Promise<TokenResponseBody>;
}

/** Injection token of the list of grant handlers the registry is built from. */
export const GRANT_HANDLERS = 'GRANT_HANDLERS';

/** The authenticated client, registered for `grantType` (RFC 6749 §5.2: `unauthorized_client` otherwise). */
export function clientRegisteredFor(client: ClientRecord | null, grantType: string): ClientRecord {
  if (!client) throw new InvalidClient('client authentication required');
  if (!client.metadata.grant_types.includes(grantType)) throw new UnauthorizedClient(`this client is not registered for ${grantType}`);
  return client;
}
