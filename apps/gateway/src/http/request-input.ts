import type { FastifyRequest } from 'fastify';
import type { FormParams } from '#contracts';
import { InvalidClientMetadata, InvalidRequest } from '#oauth';
import { parseForm } from './form-body.js';

function mediaType(req: FastifyRequest): string {
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

/** The form parameters of a POST that must be `application/x-www-form-urlencoded` (RFC 6749 §3.2). */
export function formOf(req: FastifyRequest): FormParams {
  if (mediaType(req) !== 'application/x-www-form-urlencoded') {
    throw new InvalidRequest('the request body must be application/x-www-form-urlencoded');
  }
  return parseForm(typeof req.body === 'string' ? req.body : '');
}

/** The JSON object body of a registration request (RFC 7591 §3.1); its members are checked by the registration service. */
export function jsonOf(req: FastifyRequest): Record<string, unknown> {
  if (mediaType(req) !== 'application/json') throw new InvalidRequest('the request body must be application/json');
  const body = req.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new InvalidClientMetadata('the body must be a JSON object');
  return body as Record<string, unknown>;
}

export function authorizationOf(req: FastifyRequest): string | undefined {
  const value = req.headers.authorization;
  return typeof value === 'string' ? value : undefined;
}

/**
 * Every `DPoP` header of the request, as sent (RFC 9449 §4.3 item 1 wants exactly one: the token service
 * counts them, so they are read from the raw headers, which Node would otherwise join).
 */
export function dpopProofsOf(req: FastifyRequest): string[] | undefined {
  const raw = req.raw.rawHeaders;
  const proofs: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) if (raw[i]!.toLowerCase() === 'dpop') proofs.push(raw[i + 1]!);
  return proofs.length === 0 ? undefined : proofs;
}

export function requestIdOf(req: FastifyRequest): string {
  return String(req.id);
}
