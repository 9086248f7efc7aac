/** The JSON body of an OAuth 2.0 error response (RFC 6749 §5.2, RFC 7591 §3.2.2, RFC 6750 §3). */
export interface OAuthErrorBody {
  error: string;
  error_description?: string;
  /** Members an extension defines beside the error (UDAP: `extensions_required`). */
  [member: string]: string | string[] | undefined;
}

/** Extra members of an error body (RFC 6749 §5.2 allows extension parameters): names other than `error` and `error_description`. */
export type OAuthErrorMembers = Record<string, string | string[]>;

/**
 * Plain, serialisable shape of an {@link OAuthError}. This is what crosses NATS:
 * exception classes do not survive transport, so services send this envelope
 * and the gateway rebuilds the class (STYLE pattern 3).
 */
export interface OAuthErrorEnvelope {
  readonly kind: 'oauth_error';
  readonly error: string;
  readonly description?: string;
  readonly status: number;
  readonly redirectable: boolean;
  readonly headers?: Record<string, string>;
  readonly members?: OAuthErrorMembers;
}

/**
 * Base class for every OAuth error. Code anywhere throws a subclass; the
 * gateway renders it once (JSON body, status, headers) and never shows
 * {@link OAuthError.detail}, which is for logs only.
 */
export class OAuthError extends Error {
  constructor(
    readonly error: string,
    readonly status: number,
    readonly description?: string,
    readonly options: { redirectable?: boolean; headers?: Record<string, string>; detail?: string; members?: OAuthErrorMembers } = {},
  ) {
    super(description ? `${error}: ${description}` : error);
    this.name = new.target.name;
  }

  get redirectable(): boolean {
    return this.options.redirectable ?? false;
  }

  get headers(): Record<string, string> {
    return this.options.headers ?? {};
  }

  /** Internal detail for logs; never rendered. */
  get detail(): string | undefined {
    return this.options.detail;
  }

  toBody(): OAuthErrorBody {
    const members = Object.fromEntries(Object.entries(this.options.members ?? {}).filter(([name]) => name !== 'error' && name !== 'error_description'));
    return { ...members, ...(this.description ? { error: this.error, error_description: this.description } : { error: this.error }) };
  }

  toEnvelope(): OAuthErrorEnvelope {
    return {
      kind: 'oauth_error',
      error: this.error,
      description: this.description,
      status: this.status,
      redirectable: this.redirectable,
      headers: this.options.headers,
      ...(this.options.members ? { members: this.options.members } : {}),
    };
  }

  static fromEnvelope(envelope: OAuthErrorEnvelope): OAuthError {
    return new OAuthError(envelope.error, envelope.status, envelope.description, {
      redirectable: envelope.redirectable,
      headers: envelope.headers,
      ...(isMembers(envelope.members) ? { members: envelope.members } : {}),
    });
  }

  static isEnvelope(value: unknown): value is OAuthErrorEnvelope {
    return (
      typeof value === 'object' &&
      value !== null &&
      (value as { kind?: unknown }).kind === 'oauth_error' &&
      typeof (value as { error?: unknown }).error === 'string' &&
      typeof (value as { status?: unknown }).status === 'number'
    );
  }
}

/** Members from the bus, checked (a malformed set is dropped rather than rendered). */
function isMembers(value: unknown): value is OAuthErrorMembers {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((v) => typeof v === 'string' || (Array.isArray(v) && v.every((item) => typeof item === 'string')))
  );
}
