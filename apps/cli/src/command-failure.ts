/**
 * The server refused or could not be reached: exit code 1. Carries the OAuth
 * error (RFC 6749 §5.2 `error` and `error_description`) as the server sent it.
 */
export class CommandFailure extends Error {
  constructor(
    readonly error: string,
    readonly description?: string,
    /** HTTP status, when there was an answer. */
    readonly status?: number,
  ) {
    super(description ? `${error}: ${description}` : error);
  }
}
