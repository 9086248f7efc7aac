import type { ClientRecord, FormParams, TokenResponseBody } from '#contracts';

export interface GrantContext {
  params: FormParams;
  /** The authenticated client (every grant here requires client authentication). */
  client: ClientRecord;
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
  handle(context: GrantContext): Promise<TokenResponseBody>;
}

export const GRANT_HANDLERS = 'GRANT_HANDLERS';
