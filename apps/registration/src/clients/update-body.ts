import { InvalidClientMetadata, secretMatchesHash } from '#oauth';

/** Fields a client must never send in an RFC 7592 §2.2 update: the server controls them. */
export const SERVER_CONTROLLED_FIELDS = ['registration_access_token', 'registration_client_uri', 'client_secret_expires_at', 'client_id_issued_at'] as const;

/**
 * RFC 7592 §2.2 checks on an update body, before its metadata is validated:
 * a JSON object, carrying the client's own `client_id`, none of the
 * server-controlled fields, and a `client_secret` only if it is the current
 * one (the client cannot choose its secret).
 *
 * @throws InvalidClientMetadata naming the first problem.
 */
export function checkUpdateBody(body: unknown, current: { clientId: string; clientSecretHash: string | null }): void {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new InvalidClientMetadata('the body must be a JSON object');
  const fields = body as Record<string, unknown>;
  if (fields.client_id !== current.clientId) throw new InvalidClientMetadata('client_id in the body must match the client being updated');
  const forbidden = SERVER_CONTROLLED_FIELDS.filter((field) => Object.hasOwn(fields, field));
  if (forbidden.length > 0) throw new InvalidClientMetadata(`${forbidden.join(', ')} must not be sent in an update (RFC 7592 §2.2)`);
  if (Object.hasOwn(fields, 'client_secret')) {
    const secret = fields.client_secret;
    const matches = typeof secret === 'string' && current.clientSecretHash !== null && secretMatchesHash(secret, current.clientSecretHash);
    if (!matches) throw new InvalidClientMetadata('client_secret does not match the current secret; a client cannot choose its secret');
  }
}

/**
 * What happens to the client secret when an update sets the token endpoint
 * auth method: a symmetric method keeps the current secret, or gets a new one
 * when there was none; any other method drops it.
 */
export function secretChangeFor(symmetric: boolean, currentHash: string | null): 'keep' | 'issue' | 'drop' {
  if (!symmetric) return currentHash === null ? 'keep' : 'drop';
  return currentHash === null ? 'issue' : 'keep';
}
