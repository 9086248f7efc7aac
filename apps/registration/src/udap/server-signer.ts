import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { SignJWT, type JWTPayload } from 'jose';
import { CertificateRejected, ParsedCertificate } from '#nest';

/**
 * The server's UDAP certificate and key (UDAP_SERVER_CERT_FILE and
 * UDAP_SERVER_KEY_FILE, or a community's own in UDAP_COMMUNITIES_FILE): signs
 * `signed_metadata` (UDAP Security 2.0 §2.3) with the leaf's key, `x5c` the
 * chain as configured (leaf first). RSA keys sign RS256 (which every UDAP
 * client supports), EC P-256 keys ES256, P-384 keys ES384.
 */
export class ServerSigner {
  private constructor(
    readonly chain: ParsedCertificate[],
    private readonly key: KeyObject,
    readonly alg: string,
  ) {}

  /** The leaf certificate's subject alternative name URIs: the base URLs it may speak for. */
  get uris(): string[] {
    return this.chain[0]!.uris();
  }

  get leaf(): ParsedCertificate {
    return this.chain[0]!;
  }

  /** Reads a PEM chain and its private key; each mistake is a line in `problems`, and nothing is returned then. */
  static read(certificatePem: string, keyPem: string, where: { certificate: string; key: string }, problems: string[]): ServerSigner | undefined {
    let chain: ParsedCertificate[];
    try {
      chain = ParsedCertificate.fromPemBundle(certificatePem, where.certificate);
    } catch (err: unknown) {
      problems.push(err instanceof CertificateRejected ? err.message : `${where.certificate}: cannot be read`);
      return undefined;
    }
    if (chain.length === 0) return void problems.push(`${where.certificate}: holds no PEM certificate`);
    let key: KeyObject;
    try {
      key = createPrivateKey(keyPem);
    } catch {
      // Never the key's text in a message.
      return void problems.push(`${where.key}: is not a PEM private key`);
    }
    const spki = (k: KeyObject) => k.export({ format: 'der', type: 'spki' });
    if (!spki(createPublicKey(key)).equals(spki(chain[0]!.publicKey))) return void problems.push(`${where.key}: is not the key of the first certificate of ${where.certificate}`);
    const alg = algorithmOf(key);
    if (!alg) return void problems.push(`${where.key}: must be an RSA key of at least 2048 bits, or an EC P-256 or P-384 key`);
    if (chain[0]!.uris().length === 0) problems.push(`${where.certificate}: the first certificate names no URI in its subject alternative names (the base URLs signed_metadata speaks for)`);
    return new ServerSigner(chain, key, alg);
  }

  /** A JWT of `claims` with `x5c` (UDAP Security 2.0 §7.1.3). */
  sign(claims: JWTPayload): Promise<string> {
    return new SignJWT(claims).setProtectedHeader({ alg: this.alg, x5c: this.chain.map((c) => c.x5c) }).sign(this.key);
  }
}

function algorithmOf(key: KeyObject): string | undefined {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa') return (details.modulusLength ?? 0) >= 2048 ? 'RS256' : undefined;
  if (key.asymmetricKeyType === 'ec') return details.namedCurve === 'prime256v1' ? 'ES256' : details.namedCurve === 'secp384r1' ? 'ES384' : undefined;
  return undefined;
}
