import type { ClientRecord } from '#contracts';

/**
 * RFC 9449 §5: refresh tokens issued to a public client that used DPoP are
 * bound to the proof's key (a confidential client's are already bound to its
 * authentication); a rotation keeps the binding. Null: not bound.
 */
export function refreshTokenBinding(client: ClientRecord, dpopJkt: string | undefined): string | null {
  return client.metadata.token_endpoint_auth_method === 'none' && dpopJkt !== undefined ? dpopJkt : null;
}

/** RFC 9449 §5: a bound refresh token is accepted only with a proof made with its key; the reason it is not, or null. */
export function refreshBindingFailure(boundTo: string | null, dpopJkt: string | undefined): string | null {
  if (boundTo === null || boundTo === dpopJkt) return null;
  return dpopJkt === undefined ? 'the refresh token is bound to a DPoP key: a DPoP proof is required' : 'the refresh token is bound to another DPoP key';
}
