import { InvalidClientMetadata, ScopeSet, validateClientMetadata, type RegistrationPolicy, type ValidatedClientRegistration } from '#oauth';

/** Default scope of a backend (`client_credentials`-only) client (SMART Backend Services). */
export const SYSTEM_DEFAULT_SCOPE = 'system/*.rs';

/** Default scope of any other client: a SMART standalone patient launch. */
export const LAUNCH_DEFAULT_SCOPE = 'launch/patient openid fhirUser offline_access patient/*.rs';

/**
 * The form of a user's `sub` (the authorization service gives every user a
 * random UUID). A client's `client_id` is the `sub` of its client_credentials
 * tokens, so a requested id of that form could one day equal a user's
 * (RFC 9700 §4.15, DCR-05); such ids are refused, and generated ids
 * (22 base64url characters) never have it.
 */
const USER_SUBJECT_FORM = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Scopes only configuration can grant: `admin` belongs to the bootstrap administrator. */
const RESERVED_SCOPES: readonly string[] = ['admin'];

/** Default scope for a client that registered none (RFC 7591 §2 `scope`: the server picks). */
export function defaultScopeFor(input: unknown): string {
  const grants = typeof input === 'object' && input !== null ? (input as { grant_types?: unknown }).grant_types : undefined;
  const onlyClientCredentials = Array.isArray(grants) && grants.length > 0 && grants.every((g) => g === 'client_credentials');
  return onlyClientCredentials ? SYSTEM_DEFAULT_SCOPE : LAUNCH_DEFAULT_SCOPE;
}

/** What registrants may ask for: SMART and OIDC scopes that parse (RFC 7591 §2 `scope`). */
export function registrationPolicyFor(input: unknown, keysFromCertificate = false): RegistrationPolicy {
  return {
    keysFromCertificate,
    validateScope: (scope: string) => {
      ScopeSet.parse(scope);
    },
    defaultScope: defaultScopeFor(input),
  };
}

/**
 * RFC 7591 §2 metadata, validated and normalised, for a registration or an
 * RFC 7592 §2.2 update (`keysFromCertificate`: a UDAP registration, whose
 * key is its certificate's).
 *
 * @throws InvalidRedirectUri / InvalidClientMetadata (RFC 7591 §3.2.2).
 */
export function validateRegistration(input: unknown, options: { keysFromCertificate?: boolean } = {}): ValidatedClientRegistration {
  const validated = validateClientMetadata(input, registrationPolicyFor(input, options.keysFromCertificate === true));
  const reserved = validated.metadata.scope.split(' ').find((scope) => RESERVED_SCOPES.includes(scope));
  if (reserved !== undefined) throw new InvalidClientMetadata(`scope "${reserved}" cannot be registered`);
  if (validated.requestedClientId !== undefined && USER_SUBJECT_FORM.test(validated.requestedClientId)) {
    throw new InvalidClientMetadata('client_id cannot have the form of a user identifier (a UUID); choose another or let the server pick one');
  }
  return validated;
}
