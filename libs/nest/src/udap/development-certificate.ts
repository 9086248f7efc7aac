import { createPrivateKey, KeyObject, randomBytes, webcrypto } from 'node:crypto';
import { x509 } from './peculiar-x509.js';

const RSA: webcrypto.RsaHashedKeyGenParams = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };

/** A certificate and its private key, PEM. */
export interface PemCertificate {
  certificate: string;
  privateKey: string;
}

/**
 * A self-signed RSA certificate for the development mode: either a CA (a
 * development trust community's anchor) or a server certificate naming `uris`
 * as subject alternative names (the FHIR base URLs its `signed_metadata`
 * speaks for, UDAP Security 2.0 §2.3). Never for production.
 */
export async function selfSignedCertificate(options: { commonName: string; uris?: string[]; ca?: boolean; days: number }): Promise<PemCertificate> {
  const keys = (await webcrypto.subtle.generateKey(RSA, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const now = Date.now();
  const extensions: x509.Extension[] = options.ca
    ? [new x509.BasicConstraintsExtension(true, undefined, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true)]
    : [new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true)];
  if (options.uris?.length) extensions.push(new x509.SubjectAlternativeNameExtension(options.uris.map((value) => ({ type: 'url' as const, value }))));
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: `01${randomBytes(8).toString('hex')}`,
    name: `CN=${options.commonName.replace(/[,=+<>#;"\\]/g, ' ')}`,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + options.days * 86_400_000),
    signingAlgorithm: RSA,
    keys,
    extensions,
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  const privateKey = createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' }) as KeyObject;
  return { certificate: certificate.toString('pem'), privateKey: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString() };
}
