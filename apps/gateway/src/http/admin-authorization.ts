import type { FastifyRequest } from 'fastify';
import { InvalidToken } from '#oauth';
import { bearerToken } from './client-credentials.extractor.js';
import { authorizationOf } from './request-input.js';

/**
 * The Authorization header of an admin call (RFC 6750 §2.1); the service
 * that answers (registration, jwks) checks the token carries the `admin` scope.
 */
export function adminAuthorization(req: FastifyRequest): string {
  const authorization = authorizationOf(req);
  if (!bearerToken(authorization)) throw new InvalidToken('a bearer access token with the admin scope is required');
  return authorization!;
}
