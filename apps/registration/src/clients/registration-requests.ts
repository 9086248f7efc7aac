import type { ClientLookupRequest, ManageClientRequest, RegisterClientRequest, UpdateClientRequest } from '#contracts';
import { InvalidRequest } from '#oauth';

/** Longest `client_id` we store (`client.client_id varchar(128)`). */
export const MAX_CLIENT_ID_LENGTH = 128;

type Fields = Record<string, unknown>;

function fieldsOf(payload: unknown): Fields {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw new InvalidRequest('malformed request');
  return payload as Fields;
}

function optionalString(fields: Fields, name: string): string | undefined {
  const value = fields[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new InvalidRequest(`malformed request: ${name} must be a string`);
  return value;
}

function clientIdOf(fields: Fields): string {
  const clientId = fields.clientId;
  if (typeof clientId !== 'string' || clientId === '' || clientId.length > MAX_CLIENT_ID_LENGTH) {
    throw new InvalidRequest(`malformed request: clientId must be a string of 1 to ${MAX_CLIENT_ID_LENGTH} characters`);
  }
  return clientId;
}

/** Only the defined optional values, so nothing carries an `undefined` key. */
function defined<T extends object>(values: T): T {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as T;
}

/** `registration.v1.register`: the metadata is checked later, by `validateClientMetadata`. */
export function parseRegisterRequest(payload: unknown): RegisterClientRequest {
  const fields = fieldsOf(payload);
  return defined({ metadata: fields.metadata, bearer: optionalString(fields, 'bearer'), requestId: optionalString(fields, 'requestId') });
}

/** `registration.v1.read` and `.delete`. A missing token is the handler's 401, not a malformed request. */
export function parseManageRequest(payload: unknown): ManageClientRequest {
  const fields = fieldsOf(payload);
  return defined({
    clientId: clientIdOf(fields),
    registrationAccessToken: optionalString(fields, 'registrationAccessToken'),
    requestId: optionalString(fields, 'requestId'),
  });
}

/** `registration.v1.update`: the body is checked later, against the stored client. */
export function parseUpdateRequest(payload: unknown): UpdateClientRequest {
  return { ...parseManageRequest(payload), metadata: fieldsOf(payload).metadata };
}

/** `registration.v1.client.lookup`. */
export function parseLookupRequest(payload: unknown): ClientLookupRequest {
  return { clientId: clientIdOf(fieldsOf(payload)) };
}
