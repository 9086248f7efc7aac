/**
 * Why a certificate (chain) is not accepted: `malformed` (not a DER X.509
 * certificate, or an `x5c` that is not one), `untrusted` (no chain to a
 * configured trust anchor), `expired` (outside its validity period),
 * `usage` (key usage or basic constraints forbid its place in the chain),
 * `revoked` (listed on its issuer's CRL), `revocation_unknown` (its CRL could
 * not be fetched or verified).
 */
export type CertificateProblem = 'malformed' | 'untrusted' | 'expired' | 'usage' | 'revoked' | 'revocation_unknown';

/** A certificate or chain that is not accepted; the message is safe to show the client (no key material). */
export class CertificateRejected extends Error {
  override readonly name = 'CertificateRejected';

  constructor(
    readonly problem: CertificateProblem,
    message: string,
  ) {
    super(message);
  }
}
