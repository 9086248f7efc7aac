import type { AdminClientRequest, DecidePrivilegesRequest, ListClientsRequest } from '#contracts';
import { InvalidRequest } from '#oauth';
import { MAX_CLIENT_ID_LENGTH } from './registration-requests.js';

/** Default and largest page of GET /admin/clients. */
export const DEFAULT_CLIENT_PAGE = 100;
export const MAX_CLIENT_PAGE = 1000;

type Fields = Record<string, unknown>;

/** An admin payload from the bus: the Authorization header, a request id and the members named, all strings. */
function adminFields(payload: unknown, members: readonly string[]): Fields {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw new InvalidRequest('malformed request');
  const allowed = new Set(['authorization', 'requestId', ...members]);
  for (const [name, value] of Object.entries(payload)) {
    if (!allowed.has(name)) throw new InvalidRequest(`unknown parameter "${name.slice(0, 64)}"`);
    if (value !== undefined && typeof value !== 'string') throw new InvalidRequest(`${name} must be a string`);
  }
  return payload as Fields;
}

function optional(fields: Fields, name: string): string | undefined {
  return typeof fields[name] === 'string' ? (fields[name] as string) : undefined;
}

/** `registration.v1.admin.clients.list`. */
export function parseListClientsRequest(payload: unknown): ListClientsRequest {
  const fields = adminFields(payload, ['limit', 'offset', 'status']);
  const out: ListClientsRequest = {};
  for (const name of ['authorization', 'requestId', 'limit', 'offset', 'status'] as const) {
    const value = optional(fields, name);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/** `registration.v1.admin.clients.approve` and `.reject`: an admin client request with the privileges decided on. */
export function parseDecidePrivilegesRequest(payload: unknown): DecidePrivilegesRequest {
  const fields = adminFields(payload, ['clientId', 'privileges']);
  const privileges = optional(fields, 'privileges');
  const { privileges: _ignored, ...rest } = fields;
  const out: DecidePrivilegesRequest = parseAdminClientRequest(rest);
  if (privileges !== undefined) {
    if (privileges.length > 8192) throw new InvalidRequest('privileges is too long');
    out.privileges = privileges;
  }
  return out;
}

/** `registration.v1.admin.clients.get` and `.delete`. */
export function parseAdminClientRequest(payload: unknown): AdminClientRequest {
  const fields = adminFields(payload, ['clientId']);
  const clientId = optional(fields, 'clientId');
  if (clientId === undefined || clientId === '' || clientId.length > MAX_CLIENT_ID_LENGTH) {
    throw new InvalidRequest(`client_id must be 1 to ${MAX_CLIENT_ID_LENGTH} characters`);
  }
  const out: AdminClientRequest = { clientId };
  const authorization = optional(fields, 'authorization');
  const requestId = optional(fields, 'requestId');
  if (authorization !== undefined) out.authorization = authorization;
  if (requestId !== undefined) out.requestId = requestId;
  return out;
}

/** A paging number (`limit`, `offset`): digits only, clamped to [min, max]. */
export function pagingNumber(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!/^\d{1,7}$/.test(value)) throw new InvalidRequest(`${name} must be a whole number`);
  return Math.min(max, Math.max(min, Number(value)));
}
