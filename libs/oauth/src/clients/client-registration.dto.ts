import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';
import {
  REGISTRATION_LIMITS as L,
  REQUESTED_CLIENT_ID_PATTERN,
  SUPPORTED_APPLICATION_TYPES,
  SUPPORTED_AUTH_METHODS,
  SUPPORTED_ID_TOKEN_SIGNING_ALGS,
  SUPPORTED_TOKEN_ENDPOINT_AUTH_SIGNING_ALGS,
} from './client-metadata.constants.js';
import { stacked } from '../input/stacked-decorators.js';

const STRING = { message: '$property must be a string' };
const STRING_ARRAY = { message: '$property must be an array of strings' };
const EACH_STRING = { each: true, message: '$property must be an array of strings' };
const NOT_EMPTY = { message: '$property must not be empty' };
const EACH_NOT_EMPTY = { each: true, message: 'entries of $property must not be empty' };
const tooLong = (max: number) => ({ message: `$property must be at most ${max} characters` });
const entryTooLong = (max: number) => ({ each: true, message: `entries of $property must be at most ${max} characters` });
const tooMany = (max: number) => ({ message: `$property must have at most ${max} entries` });
const oneOf = (values: readonly string[]) => ({ message: `$property must be one of: ${values.join(', ')}` });

/** An optional string of at most `max` characters; `nonEmpty`: and at least one. */
function OptionalText(max: number, { nonEmpty = false } = {}): PropertyDecorator {
  return stacked(IsOptional(), IsString(STRING), ...(nonEmpty ? [MinLength(1, NOT_EMPTY)] : []), MaxLength(max, tooLong(max)));
}

/** An optional list of at most `entries` strings of at most `length` characters each; `nonEmpty`: and at least one. */
function OptionalTextList(entries: number, length: number, { nonEmpty = false } = {}): PropertyDecorator {
  return stacked(
    IsOptional(),
    IsArray(STRING_ARRAY),
    ArrayMaxSize(entries, tooMany(entries)),
    IsString(EACH_STRING),
    ...(nonEmpty ? [MinLength(1, EACH_NOT_EMPTY)] : []),
    MaxLength(length, entryTooLong(length)),
  );
}

/** An optional string that is one of `values`. */
function OptionalChoice(values: readonly string[]): PropertyDecorator {
  return stacked(IsOptional(), IsString(STRING), IsIn(values, oneOf(values)));
}

/**
 * The shape of an RFC 7591 §2 client metadata document, as far as types and
 * sizes go. Only the fields we understand are declared: the validator copies
 * just these from the request, so extension metadata is ignored as RFC 7591 §2
 * requires, and server-controlled fields (`client_secret`,
 * `registration_access_token`, `client_id_issued_at`, …, RFC 7591 §3.2.1 and
 * RFC 7592 §3) never reach it. Cross-field and semantic rules live in
 * `client-metadata.validator.ts`.
 *
 * JSON `null` is treated as "omitted" before this class is populated, so every
 * property is either absent or of the declared type once validation passes.
 */
export class ClientRegistrationDto {
  /** RFC 7591 §2. */
  @OptionalTextList(L.redirectUris, L.uriLength)
  redirect_uris?: string[];

  /** RFC 7591 §2. */
  @OptionalChoice(SUPPORTED_AUTH_METHODS)
  token_endpoint_auth_method?: string;

  /** RFC 7591 §2. */
  @OptionalTextList(L.typeEntries, L.typeLength)
  grant_types?: string[];

  /** RFC 7591 §2. */
  @OptionalTextList(L.typeEntries, L.typeLength)
  response_types?: string[];

  /** RFC 7591 §2. */
  @OptionalText(L.clientNameLength, { nonEmpty: true })
  client_name?: string;

  /** RFC 7591 §2. */
  @OptionalText(L.uriLength)
  client_uri?: string;

  /** RFC 7591 §2. */
  @OptionalText(L.uriLength)
  logo_uri?: string;

  /** RFC 7591 §2: space-separated scope values (RFC 6749 §3.3). */
  @OptionalText(L.scopeLength)
  scope?: string;

  /** RFC 7591 §2. */
  @OptionalTextList(L.contacts, L.contactLength, { nonEmpty: true })
  contacts?: string[];

  /** RFC 7591 §2. */
  @OptionalText(L.uriLength)
  tos_uri?: string;

  /** RFC 7591 §2. */
  @OptionalText(L.uriLength)
  policy_uri?: string;

  /** RFC 7591 §2. */
  @OptionalText(L.uriLength)
  jwks_uri?: string;

  /** RFC 7591 §2: a JWK Set (RFC 7517 §5); its members are checked by the validator. */
  @IsOptional()
  @IsObject({ message: '$property must be a JSON object (a JWK Set, RFC 7517 §5)' })
  jwks?: Record<string, unknown>;

  /** RFC 7591 §2. */
  @OptionalText(L.softwareFieldLength, { nonEmpty: true })
  software_id?: string;

  /** RFC 7591 §2. */
  @OptionalText(L.softwareFieldLength, { nonEmpty: true })
  software_version?: string;

  /** OpenID Connect RP-Initiated Logout 1.0 §3.1. */
  @OptionalTextList(L.redirectUris, L.uriLength)
  post_logout_redirect_uris?: string[];

  /** OIDC Registration §2. */
  @OptionalChoice(SUPPORTED_ID_TOKEN_SIGNING_ALGS)
  id_token_signed_response_alg?: string;

  /** OIDC Registration §2. */
  @OptionalChoice(SUPPORTED_TOKEN_ENDPOINT_AUTH_SIGNING_ALGS)
  token_endpoint_auth_signing_alg?: string;

  /** OIDC Registration §2. */
  @OptionalChoice(SUPPORTED_APPLICATION_TYPES)
  application_type?: string;

  /** SMART App Launch 2.2 §"EHR Launch": the app's launch URL (not an RFC 7591 field; checked by the validator). */
  @OptionalText(L.uriLength)
  launch_uri?: string;

  /** RFC 9126 §6: authorization requests only through `POST /par`. */
  @IsOptional()
  @IsBoolean({ message: '$property must be true or false' })
  require_pushed_authorization_requests?: boolean;

  /** RFC 9449 §5.2: access tokens only bound to a DPoP key. */
  @IsOptional()
  @IsBoolean({ message: '$property must be true or false' })
  dpop_bound_access_tokens?: boolean;

  /**
   * Not an RFC 7591 field: a `client_id` the registrant would like. Honoured by
   * the registration service only when it is free.
   */
  @IsOptional()
  @IsString(STRING)
  @Matches(REQUESTED_CLIENT_ID_PATTERN, {
    message: '$property must be 3 to 128 characters from A-Z a-z 0-9 . _ ~ -',
  })
  client_id?: string;
}

/** The properties of {@link ClientRegistrationDto}: the only input keys the validator copies. */
export const CLIENT_REGISTRATION_FIELDS: readonly (keyof ClientRegistrationDto)[] = Object.freeze([
  'redirect_uris',
  'token_endpoint_auth_method',
  'grant_types',
  'response_types',
  'client_name',
  'client_uri',
  'logo_uri',
  'scope',
  'contacts',
  'tos_uri',
  'policy_uri',
  'jwks_uri',
  'jwks',
  'software_id',
  'software_version',
  'post_logout_redirect_uris',
  'id_token_signed_response_alg',
  'token_endpoint_auth_signing_alg',
  'application_type',
  'launch_uri',
  'require_pushed_authorization_requests',
  'dpop_bound_access_tokens',
  'client_id',
] as const);
