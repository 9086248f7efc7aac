import { OAuthError, type OAuthErrorMembers } from './oauth-error.js';

type Options = { detail?: string; headers?: Record<string, string>; members?: OAuthErrorMembers };

/**
 * The class of an RFC error code that needs nothing but a description:
 * `new InvalidGrant(description?, { detail?, headers? })`. `redirectable`:
 * the error may go back to the client's redirect URI (RFC 6749 §4.1.2.1).
 */
function oauthErrorClass(error: string, status: number, { redirectable = false } = {}): new (description?: string, options?: Options) => OAuthError {
  return class extends OAuthError {
    constructor(description?: string, options: Options = {}) {
      super(error, status, description, redirectable ? { ...options, redirectable: true } : options);
    }
  };
}

// RFC 6749 §4.1.2.1 / §5.2
export class InvalidRequest extends oauthErrorClass('invalid_request', 400, { redirectable: true }) {}

/**
 * RFC 6749 §5.2: 401 when the client tried to authenticate; the
 * `WWW-Authenticate` header is added when it used HTTP Basic.
 */
export class InvalidClient extends OAuthError {
  constructor(description = 'client authentication failed', options: Options & { basic?: boolean } = {}) {
    super('invalid_client', 401, description, {
      detail: options.detail,
      headers: options.basic ? { 'www-authenticate': 'Basic realm="token", charset="UTF-8"', ...options.headers } : options.headers,
    });
  }
}

export class InvalidGrant extends oauthErrorClass('invalid_grant', 400) {}

export class UnauthorizedClient extends oauthErrorClass('unauthorized_client', 400, { redirectable: true }) {}

export class UnsupportedGrantType extends oauthErrorClass('unsupported_grant_type', 400) {}

export class UnsupportedResponseType extends oauthErrorClass('unsupported_response_type', 400, { redirectable: true }) {}

export class UnsupportedTokenType extends oauthErrorClass('unsupported_token_type', 400) {}

export class InvalidScope extends oauthErrorClass('invalid_scope', 400, { redirectable: true }) {}

export class AccessDenied extends oauthErrorClass('access_denied', 403, { redirectable: true }) {}

// RFC 6750 §3.1
export class InvalidToken extends OAuthError {
  constructor(description?: string, options: Options & { realm?: string } = {}) {
    const challenge = `Bearer realm="${options.realm ?? 'smart'}", error="invalid_token"` +
      (description ? `, error_description="${description.replace(/"/g, "'")}"` : '');
    super('invalid_token', 401, description, { detail: options.detail, headers: { 'www-authenticate': challenge, ...options.headers } });
  }
}

export class InsufficientScope extends OAuthError {
  constructor(description?: string, options: Options & { scope?: string } = {}) {
    const challenge = `Bearer realm="smart", error="insufficient_scope"` + (options.scope ? `, scope="${options.scope}"` : '');
    super('insufficient_scope', 403, description, { detail: options.detail, headers: { 'www-authenticate': challenge, ...options.headers } });
  }
}

// RFC 7591 §3.2.2
export class InvalidClientMetadata extends oauthErrorClass('invalid_client_metadata', 400) {}

export class InvalidRedirectUri extends oauthErrorClass('invalid_redirect_uri', 400) {}

export class InvalidSoftwareStatement extends oauthErrorClass('invalid_software_statement', 400) {}

/** RFC 7591 §3.2.2: the software statement is not approved for use here (its issuer is not trusted). */
export class UnapprovedSoftwareStatement extends oauthErrorClass('unapproved_software_statement', 400) {}

/** Not an RFC code: a route that does not exist. Rendered as JSON with 404. */
export class NotFound extends OAuthError {
  constructor(description = 'not found') {
    super('not_found', 404, description);
  }
}

export class MethodNotAllowed extends OAuthError {
  constructor(allow: string) {
    super('invalid_request', 405, 'method not allowed', { headers: { allow } });
  }
}

export class PayloadTooLarge extends OAuthError {
  constructor() {
    super('invalid_request', 413, 'request body too large');
  }
}

export class TemporarilyUnavailable extends OAuthError {
  /** Without `retryAfterSeconds`, the gateway adds its configured `Retry-After` (RFC 9110 §10.2.3) to the 503. */
  constructor(description = 'the service is temporarily unavailable', retryAfterSeconds?: number) {
    super('temporarily_unavailable', 503, description, { redirectable: true, headers: retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) } });
  }
}

/**
 * A request over its rate limit: HTTP 429 with `Retry-After` (RFC 6585 §4).
 * OAuth defines no 429 error code; `temporarily_unavailable` is the
 * registered code whose meaning fits ("temporary overloading", RFC 6749
 * §4.1.2.1) and that clients already treat as worth retrying later. Not
 * `slow_down`, which is the device-flow polling signal (RFC 8628 §3.5).
 */
export class TooManyRequests extends OAuthError {
  constructor(retryAfterSeconds: number, description = 'too many requests; retry later') {
    super('temporarily_unavailable', 429, description, { headers: { 'retry-after': String(retryAfterSeconds) } });
  }
}

/** Any failure that is not the caller's fault. The detail goes to the log only. */
export class ServerError extends OAuthError {
  constructor(detail?: string) {
    super('server_error', 500, 'the authorization server encountered an unexpected condition', { redirectable: true, detail });
  }
}

// RFC 9449 §5: a DPoP proof at the token endpoint that is missing where required, or invalid.
export class InvalidDpopProof extends oauthErrorClass('invalid_dpop_proof', 400) {}

/** RFC 9449 §8: the server requires a nonce in the DPoP proof; the one to use is in the `DPoP-Nonce` header. */
export class UseDpopNonce extends OAuthError {
  constructor(nonce: string, description = 'a DPoP proof with the server nonce is required') {
    super('use_dpop_nonce', 400, description, { headers: { 'dpop-nonce': nonce } });
  }
}
