/**
 * A DPoP proof failed one check of RFC 9449 §4.3. The message names the
 * check and is shown to the client (`error_description`).
 */
export class DpopProofRejected extends Error {
  override readonly name = 'DpopProofRejected';
}
