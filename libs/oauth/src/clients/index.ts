export {
  JWT_BEARER_GRANT_TYPE,
  REGISTRATION_LIMITS,
  REQUESTED_CLIENT_ID_PATTERN,
  SUPPORTED_APPLICATION_TYPES,
  SUPPORTED_AUTH_METHODS,
  SUPPORTED_GRANT_TYPES,
  SUPPORTED_ID_TOKEN_SIGNING_ALGS,
  SUPPORTED_RESPONSE_TYPES,
  SUPPORTED_TOKEN_ENDPOINT_AUTH_SIGNING_ALGS,
  isSymmetric,
} from './client-metadata.constants.js';
export { validateClientMetadata } from './client-metadata.validator.js';
export type { RegistrationPolicy, ValidatedClientRegistration } from './client-metadata.validator.js';
export { CLIENT_REGISTRATION_FIELDS, ClientRegistrationDto } from './client-registration.dto.js';
export {
  PRIVILEGED_GRANT_TYPES,
  assertGrantTypeUsable,
  assertRequestedScopesUsable,
  commonPrivileges,
  grantTypeWithheld,
  hasPrivileges,
  isPersonGrantable,
  isPrivilegedScope,
  mayUseScope,
  parsePrivileges,
  privilegesOf,
  scopeWithheld,
  splitByCoverage,
  unionPrivileges,
  usableScopes,
  withoutPrivileges,
} from './client-privileges.js';
export type { WithheldReason } from './client-privileges.js';
