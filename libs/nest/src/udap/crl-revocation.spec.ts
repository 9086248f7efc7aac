import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TestPki, type TestCertificate } from '#testing';
import { validateCertificationPath } from './certificate-chain.js';
import { CertificateRejected, type CertificateProblem } from './certificate-rejected.js';
import { CrlUnavailable, type CrlSource } from './crl-fetcher.js';
import { CrlRevocation } from './crl-revocation.js';
import { ParsedCertificate } from './parsed-certificate.js';
import { x509 } from './peculiar-x509.js';
import { readTrustAnchors, type TrustAnchor } from './trust-anchors.js';

const BASE = 'http://crl.test';
const parse = (c: TestCertificate) => ParsedCertificate.fromX5c(c.x5c, 'test');

/** CRLs by URL, or a failure. */
class FixedCrls implements CrlSource {
  readonly served = new Map<string, Buffer | 'fail'>();
  async crl(url: string): Promise<x509.X509Crl> {
    const crl = this.served.get(url);
    if (crl === undefined || crl === 'fail') throw new CrlUnavailable(`the CRL at ${url} could not be fetched`);
    return new x509.X509Crl(new Uint8Array(crl));
  }
}

describe('revocation through CRL distribution points (RFC 5280 §6.3)', () => {
  let pki: TestPki;
  let anchors: TrustAnchor[];
  let good: TestCertificate;
  let revoked: TestCertificate;
  const crls = new FixedCrls();
  const revocation = new CrlRevocation(crls);
  const check = (leaf: TestCertificate) => revocation.check(validateCertificationPath(parse(leaf), [parse(pki.intermediate)], anchors, new Date()), new Date());
  const refused = (problem: CertificateProblem) => (err: unknown) => err instanceof CertificateRejected && err.problem === problem;

  before(async () => {
    pki = await TestPki.create({ crlBaseUrl: BASE });
    anchors = readTrustAnchors(pki.root.pem, 'anchors', []);
    good = await pki.issue({ uris: ['https://app.example/good'] });
    revoked = await pki.issue({ uris: ['https://app.example/revoked'] });
  });

  const serve = async (intermediateCrl: Buffer | 'fail', rootCrl?: Buffer | 'fail') => {
    crls.served.set(`${BASE}/intermediate.crl`, intermediateCrl);
    crls.served.set(`${BASE}/root.crl`, rootCrl ?? (await pki.crl([], pki.root)));
  };

  it('accepts a certificate its issuer has not revoked, and refuses one it has', async () => {
    await serve(await pki.crl([revoked]));
    await check(good);
    await assert.rejects(check(revoked), refused('revoked'));
  });

  it('refuses every certificate under a revoked intermediate', async () => {
    await serve(await pki.crl([]), await pki.crl([pki.intermediate], pki.root));
    await assert.rejects(check(good), refused('revoked'));
  });

  it('fails closed when the CRL cannot be fetched', async () => {
    await serve('fail');
    await assert.rejects(check(good), (err: unknown) => refused('revocation_unknown')(err) && /could not be fetched/.test((err as Error).message));
  });

  it('refuses a CRL signed by another key, or out of date', async () => {
    const other = await TestPki.create({ name: 'Other' });
    await serve(await other.crl([]));
    await assert.rejects(check(good), refused('revocation_unknown'));
    await serve(await pki.crl([], pki.intermediate, new Date(Date.now() - 3_600_000)));
    await assert.rejects(check(good), (err: unknown) => refused('revocation_unknown')(err) && /out of date/.test((err as Error).message));
  });

  it('has nothing to check for a certificate without distribution points', async () => {
    const plain = await TestPki.create();
    const leaf = await plain.issue({ uris: ['https://app.example/plain'] });
    const path = validateCertificationPath(parse(leaf), [parse(plain.intermediate)], readTrustAnchors(plain.root.pem, 'anchors', []), new Date());
    await revocation.check(path, new Date());
  });
});
