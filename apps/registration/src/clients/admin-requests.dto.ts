import { plainToInstance } from 'class-transformer';
import { IsIn, IsObject, IsOptional, IsString, Matches, MaxLength, MinLength, validateSync } from 'class-validator';
import { CLIENT_TRUSTS } from '#contracts';
import { InvalidRequest } from '#oauth';
import { MAX_CLIENT_ID_LENGTH } from './registration-requests.js';

const MAX_CLIENT_ID_CHARS = MAX_CLIENT_ID_LENGTH;

/**
 * What every admin payload from the bus may carry: the Authorization header
 * (the admin API) or the administrator's session cookie (the pages), and the
 * request id.
 */
export class AdminPayloadDto {
  @IsOptional() @IsString() @MaxLength(8192) authorization?: string;
  @IsOptional() @IsString() @MaxLength(512) adminSession?: string;
  @IsOptional() @IsString() @MaxLength(128) requestId?: string;
}

/** `registration.v1.admin.clients.list`: paging, search and filters as they came in the query, all strings. */
export class ListClientsDto extends AdminPayloadDto {
  @IsOptional() @IsString() limit?: string;
  @IsOptional() @IsString() offset?: string;
  @IsOptional() @IsIn(['pending', 'approved', 'rejected', 'disabled'], { message: 'status must be one of: pending, approved, rejected, disabled' }) status?: string;
  @IsOptional() @IsString() @MaxLength(200, { message: 'q must be at most 200 characters' }) q?: string;
  @IsOptional() @IsIn(CLIENT_TRUSTS as string[], { message: `trust must be one of: ${CLIENT_TRUSTS.join(', ')}` }) trust?: string;
  @IsOptional() @IsString() @Matches(/^[\x21-\x7e]{1,128}$/, { message: 'grant_type must be a grant type' }) grant_type?: string;
  @IsOptional() @IsIn(['true', 'false'], { message: 'has_launch_uri must be true or false' }) has_launch_uri?: string;
}

/** An admin call on one client. */
export class AdminClientDto extends AdminPayloadDto {
  @IsString({ message: `client_id must be 1 to ${MAX_CLIENT_ID_CHARS} characters` })
  @MinLength(1, { message: `client_id must be 1 to ${MAX_CLIENT_ID_CHARS} characters` })
  @MaxLength(MAX_CLIENT_ID_CHARS, { message: `client_id must be 1 to ${MAX_CLIENT_ID_CHARS} characters` })
  clientId: string;
}

/** Approve or reject: the privileges named, as one space-separated string (absent: all pending). */
export class DecidePrivilegesDto extends AdminClientDto {
  @IsOptional() @IsString() @MaxLength(8192, { message: 'privileges is too long' }) privileges?: string;
}

/** PUT /admin/clients/:client_id: the metadata is validated as a registration by the service. */
export class AdminUpdateClientDto extends AdminClientDto {
  @IsObject({ message: 'the body must be a JSON object' }) metadata: Record<string, unknown>;
  @IsOptional() @IsString() @MaxLength(16384, { message: 'public_key is too long' }) publicKey?: string;
}

/** POST /admin/clients. */
export class AdminRegisterClientDto extends AdminPayloadDto {
  @IsObject({ message: 'the body must be a JSON object' }) metadata: Record<string, unknown>;
  @IsOptional() @IsString() @MaxLength(16384, { message: 'public_key is too long' }) publicKey?: string;
}

/**
 * A payload from the bus as a validated DTO (class-validator, unknown
 * members refused), returned as a plain object holding only the members
 * given.
 *
 * @throws InvalidRequest naming the first problem.
 */
export function payloadOf<T extends object>(cls: new () => T, payload: unknown): T {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw new InvalidRequest('malformed request');
  for (const name of Object.keys(payload)) if (name === '__proto__' || name === 'constructor' || name === 'prototype') throw new InvalidRequest(`unknown parameter "${name}"`);
  const dto = plainToInstance(cls, payload);
  const errors = validateSync(dto, { whitelist: true, forbidNonWhitelisted: true, validationError: { target: false, value: false } });
  if (errors.length > 0) {
    const first = errors[0]!;
    const message = first.constraints?.whitelistValidation ? `unknown parameter "${first.property.slice(0, 64)}"` : Object.values(first.constraints ?? {})[0];
    throw new InvalidRequest(message ?? `${first.property} is not valid`);
  }
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(dto)) if (value !== undefined) out[name] = value;
  return out as T;
}
