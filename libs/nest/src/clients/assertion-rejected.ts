/**
 * An assertion failed a check. The message names the check and is shown to
 * the client (`error_description`); it never carries key material. Client
 * authentication answers it with `invalid_client`.
 */
export class AssertionRejected extends Error {
  override readonly name: string = 'AssertionRejected';
}

/**
 * The request around an assertion is malformed (a UDAP token request without
 * `udap=1`, UDAP Security 2.0 §4.2.2 and §5.2.2): `invalid_request`, RFC 6749
 * §5.2, rather than a failed authentication.
 */
export class AssertionRequestMalformed extends AssertionRejected {
  override readonly name = 'AssertionRequestMalformed';
}
