import type { AdminClientRequest, AdminRegisterClientRequest, AdminUpdateClientRequest, DecidePrivilegesRequest, ListClientsRequest } from '#contracts';
import { InvalidRequest } from '#oauth';
import { AdminClientDto, AdminRegisterClientDto, AdminUpdateClientDto, DecidePrivilegesDto, ListClientsDto, payloadOf } from './admin-requests.dto.js';

/** Default and largest page of GET /admin/clients. */
export const DEFAULT_CLIENT_PAGE = 100;
export const MAX_CLIENT_PAGE = 1000;

/** `registration.v1.admin.clients.list`. */
export function parseListClientsRequest(payload: unknown): ListClientsRequest {
  return payloadOf(ListClientsDto, payload);
}

/** `registration.v1.admin.clients.approve` and `.reject`: an admin client request with the privileges decided on. */
export function parseDecidePrivilegesRequest(payload: unknown): DecidePrivilegesRequest {
  return payloadOf(DecidePrivilegesDto, payload);
}

/** `registration.v1.admin.clients.get`, `.delete`, `.disable`, `.enable`, `.rotate-secret`. */
export function parseAdminClientRequest(payload: unknown): AdminClientRequest {
  return payloadOf(AdminClientDto, payload);
}

/** `registration.v1.admin.clients.update`. */
export function parseAdminUpdateRequest(payload: unknown): AdminUpdateClientRequest {
  return payloadOf(AdminUpdateClientDto, payload);
}

/** `registration.v1.admin.clients.create`. */
export function parseAdminRegisterRequest(payload: unknown): AdminRegisterClientRequest {
  return payloadOf(AdminRegisterClientDto, payload);
}

/** A paging number (`limit`, `offset`): digits only, clamped to [min, max]. */
export function pagingNumber(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!/^\d{1,7}$/.test(value)) throw new InvalidRequest(`${name} must be a whole number`);
  return Math.min(max, Math.max(min, Number(value)));
}
