import { randomBytes, randomUUID, webcrypto } from 'node:crypto';
import { SignJWT, type JWTPayload } from 'jose';
import { x509 } from '#nest';

type KeyKind = 'rsa' | 'ec';

const ALGORITHMS: Record<KeyKind, { generate: webcrypto.RsaHashedKeyGenParams | webcrypto.EcKeyGenParams; sign: webcrypto.RsaHashedImportParams | webcrypto.EcdsaParams; jws: string }> = {
  rsa: { generate: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 }, sign: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, jws: 'RS256' },
  ec: { generate: { name: 'ECDSA', namedCurve: 'P-256' }, sign: { name: 'ECDSA', hash: 'SHA-256' }, jws: 'ES256' },
};

/** A certificate of the test PKI with its key pair. */
export interface TestCertificate {
  certificate: x509.X509Certificate;
  keys: webcrypto.CryptoKeyPair;
  kind: KeyKind;
  /** The JWS algorithm its key signs with (RS256 or ES256). */
  alg: string;
  /** `x5c` entry: base64 DER. */
  x5c: string;
  pem: string;
}

export interface IssueOptions {
  /** Subject alternative name URIs. */
  uris?: string[];
  kind?: KeyKind;
  /** The issuing CA (default: the intermediate). */
  issuer?: TestCertificate;
  notBefore?: Date;
  notAfter?: Date;
  /** Key usage bits (default: digitalSignature). */
  keyUsage?: number;
  commonName?: string;
  /** More extensions, as given (e.g. one marked critical that a verifier must refuse). */
  extraExtensions?: x509.Extension[];
}

const DAY = 86_400_000;

async function generate(kind: KeyKind): Promise<webcrypto.CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ALGORITHMS[kind].generate, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
}

function wrap(certificate: x509.X509Certificate, keys: webcrypto.CryptoKeyPair, kind: KeyKind): TestCertificate {
  return { certificate, keys, kind, alg: ALGORITHMS[kind].jws, x5c: Buffer.from(certificate.rawData).toString('base64'), pem: certificate.toString('pem') };
}

/**
 * A PKI made by the tests (UDAP trust communities): a root, an intermediate
 * under it, client and server certificates under the intermediate, CRLs, and
 * roots nobody trusts. `crlBaseUrl` (a loopback server the test runs) is
 * written into the certificates' CRL distribution points:
 * `<crlBaseUrl>/<issuer-name>.crl`.
 */
export class TestPki {
  private constructor(
    readonly root: TestCertificate,
    readonly intermediate: TestCertificate,
    private readonly crlBaseUrl: string | undefined,
  ) {}

  static async create(options: { crlBaseUrl?: string; name?: string; kind?: KeyKind } = {}): Promise<TestPki> {
    const name = options.name ?? 'Test Community';
    const root = await TestPki.selfSignedCa(`${name} Root`, options.kind ?? 'rsa');
    const crl = options.crlBaseUrl ? `${options.crlBaseUrl}/root.crl` : undefined;
    const intermediate = await TestPki.sign({ subject: `CN=${name} Intermediate`, issuer: root, kind: 'rsa', ca: true, crl });
    return new TestPki(root, intermediate, options.crlBaseUrl);
  }

  /** A self-signed CA (a trust anchor, or a root nobody trusts). */
  static async selfSignedCa(commonName: string, kind: KeyKind = 'rsa'): Promise<TestCertificate> {
    const keys = await generate(kind);
    const certificate = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: `01${randomBytes(6).toString('hex')}`,
      name: `CN=${commonName}`,
      notBefore: new Date(Date.now() - DAY),
      notAfter: new Date(Date.now() + 365 * DAY),
      signingAlgorithm: ALGORITHMS[kind].sign,
      keys,
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ],
    });
    return wrap(certificate, keys, kind);
  }

  /** An end-entity certificate (a client's or a server's) issued by the intermediate (or `issuer`). */
  async issue(options: IssueOptions = {}): Promise<TestCertificate> {
    const issuer = options.issuer ?? this.intermediate;
    const crl = this.crlBaseUrl && issuer === this.intermediate ? `${this.crlBaseUrl}/intermediate.crl` : undefined;
    return TestPki.sign({ ...options, subject: `CN=${options.commonName ?? options.uris?.[0] ?? 'client'}`, issuer, kind: options.kind ?? 'rsa', crl });
  }

  /** A CRL of `issuer` (default: the intermediate) listing `revoked`, DER. */
  async crl(revoked: TestCertificate[], issuer: TestCertificate = this.intermediate, nextUpdate = new Date(Date.now() + DAY)): Promise<Buffer> {
    const crl = await x509.X509CrlGenerator.create({
      issuer: issuer.certificate.subject,
      thisUpdate: new Date(Date.now() - 60_000),
      nextUpdate,
      entries: revoked.map((r) => ({ serialNumber: r.certificate.serialNumber, revocationDate: new Date(Date.now() - 60_000) })),
      signingAlgorithm: ALGORITHMS[issuer.kind].sign,
      signingKey: issuer.keys.privateKey,
    });
    return Buffer.from(crl.rawData);
  }

  private static async sign(options: IssueOptions & { subject: string; issuer: TestCertificate; kind: KeyKind; ca?: boolean; crl?: string }): Promise<TestCertificate> {
    const keys = await generate(options.kind);
    const extensions: x509.Extension[] = [
      new x509.KeyUsagesExtension(options.keyUsage ?? (options.ca ? x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign : x509.KeyUsageFlags.digitalSignature), true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(options.issuer.certificate),
    ];
    if (options.ca) extensions.push(new x509.BasicConstraintsExtension(true, 0, true));
    if (options.uris?.length) extensions.push(new x509.SubjectAlternativeNameExtension(options.uris.map((value) => ({ type: 'url' as const, value }))));
    if (options.crl) extensions.push(new x509.CRLDistributionPointsExtension([options.crl]));
    extensions.push(...(options.extraExtensions ?? []));
    const certificate = await x509.X509CertificateGenerator.create({
      serialNumber: `02${randomBytes(6).toString('hex')}`,
      subject: options.subject.replace(/[,+<>#;"\\]/g, ' '),
      issuer: options.issuer.certificate.subject,
      notBefore: options.notBefore ?? new Date(Date.now() - DAY),
      notAfter: options.notAfter ?? new Date(Date.now() + 180 * DAY),
      signingAlgorithm: ALGORITHMS[options.issuer.kind].sign,
      publicKey: keys.publicKey,
      signingKey: options.issuer.keys.privateKey,
      extensions,
    });
    return wrap(certificate, keys, options.kind);
  }
}

/** The private key of a test certificate as PEM (PKCS #8), e.g. for UDAP_SERVER_KEY_FILE. */
export async function privateKeyPem(certificate: TestCertificate): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', certificate.keys.privateKey));
  return `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n').trim()}\n-----END PRIVATE KEY-----\n`;
}

/**
 * A UDAP JWT (UDAP Security 2.0 §7.1): `claims` signed by `signer`'s key,
 * `x5c` = the signer and then `chain`; `jti`, `iat` and `exp` (five minutes)
 * added unless given. `key` signs instead of the signer's own key (a bad signature).
 */
export async function signX5cJwt(claims: JWTPayload, signer: TestCertificate, chain: TestCertificate[] = [], options: { key?: webcrypto.CryptoKey; alg?: string } = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ jti: randomUUID(), iat: now, exp: now + 300, ...claims })
    .setProtectedHeader({ alg: options.alg ?? signer.alg, x5c: [signer.x5c, ...chain.map((c) => c.x5c)] })
    .sign(options.key ?? signer.keys.privateKey);
}
