import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TestPki, type TestCertificate } from '#testing';
import { validateCertificationPath } from './certificate-chain.js';
import { CertificateRejected, type CertificateProblem } from './certificate-rejected.js';
import { ParsedCertificate } from './parsed-certificate.js';
import { x509 } from './peculiar-x509.js';
import { readTrustAnchors, type TrustAnchor } from './trust-anchors.js';

const parse = (c: TestCertificate) => ParsedCertificate.fromX5c(c.x5c, 'test');
const DAY = 86_400_000;

describe('certification path to a trust anchor (UDAP Security 2.0 §7.1.5, RFC 5280 §6)', () => {
  let pki: TestPki;
  let anchors: TrustAnchor[];
  let rsaClient: TestCertificate;
  let ecClient: TestCertificate;
  const cases: Array<[string, () => Promise<{ leaf: TestCertificate; chain: TestCertificate[] }>, CertificateProblem]> = [];

  before(async () => {
    pki = await TestPki.create();
    const problems: string[] = [];
    anchors = readTrustAnchors(pki.root.pem, 'anchors', problems);
    assert.deepEqual(problems, []);
    rsaClient = await pki.issue({ uris: ['https://app.example/rsa'] });
    ecClient = await pki.issue({ uris: ['https://app.example/ec'], kind: 'ec' });
  });

  it('finds leaf → intermediate → root for RSA and EC leaves', () => {
    for (const leaf of [rsaClient, ecClient]) {
      const path = validateCertificationPath(parse(leaf), [parse(pki.intermediate)], anchors, new Date());
      assert.deepEqual(path.certificates.map((c) => c.subject), [leaf.certificate.subject, pki.intermediate.certificate.subject, pki.root.certificate.subject]);
      assert.equal(path.anchor.sha256, anchors[0]!.sha256);
    }
  });

  it('accepts an x5c that carries the anchor too, and ignores certificates that do not belong', async () => {
    const stranger = await TestPki.selfSignedCa('Stranger');
    const path = validateCertificationPath(parse(rsaClient), [parse(stranger), parse(pki.intermediate), parse(pki.root)], anchors, new Date());
    assert.equal(path.certificates.length, 3);
  });

  cases.push(
    ['a leaf under an untrusted root', async () => {
      const other = await TestPki.create({ name: 'Untrusted' });
      return { leaf: await other.issue({ uris: ['https://app.example/u'] }), chain: [other.intermediate] };
    }, 'untrusted'],
    ['a missing intermediate', async () => ({ leaf: rsaClient, chain: [] }), 'untrusted'],
    ['an expired leaf', async () => ({ leaf: await pki.issue({ uris: ['https://app.example/old'], notBefore: new Date(Date.now() - 10 * DAY), notAfter: new Date(Date.now() - DAY) }), chain: [pki.intermediate] }), 'expired'],
    ['a leaf not valid yet', async () => ({ leaf: await pki.issue({ uris: ['https://app.example/new'], notBefore: new Date(Date.now() + DAY) }), chain: [pki.intermediate] }), 'expired'],
    ['a leaf whose key may not sign', async () => ({ leaf: await pki.issue({ uris: ['https://app.example/enc'], keyUsage: x509.KeyUsageFlags.keyEncipherment }), chain: [pki.intermediate] }), 'usage'],
    // OpenSSL's issuer check already refuses an issuer whose key usage lacks keyCertSign: no path.
    ['a leaf issued by a leaf', async () => {
      const notCa = await pki.issue({ uris: ['https://app.example/issuer'] });
      return { leaf: await pki.issue({ uris: ['https://app.example/child'], issuer: notCa }), chain: [notCa, pki.intermediate] };
    }, 'untrusted'],
    ['a leaf with a critical extension this server does not process', async () => ({
      leaf: await pki.issue({ uris: ['https://app.example/crit'], extraExtensions: [new x509.Extension('1.3.6.1.4.1.99999.1', true, new Uint8Array([5, 0]))] }),
      chain: [pki.intermediate],
    }), 'usage'],
    ['an intermediate whose name constraints (critical) would not be enforced', async () => {
      const constrained = await pki.issue({
        commonName: 'Constrained CA', issuer: pki.root, keyUsage: x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        extraExtensions: [new x509.BasicConstraintsExtension(true, 0, true), new x509.Extension('2.5.29.30', true, new Uint8Array([0x30, 0x00]))],
      });
      return { leaf: await pki.issue({ uris: ['https://app.example/nc'], issuer: constrained }), chain: [constrained] };
    }, 'usage'],
  );
  for (const [name, make, problem] of cases) {
    it(`refuses ${name} (${problem})`, async () => {
      const { leaf, chain } = await make();
      assert.throws(() => validateCertificationPath(parse(leaf), chain.map(parse), anchors, new Date()), (err: unknown) => err instanceof CertificateRejected && err.problem === problem);
    });
  }

  it('reads trust anchors: CA certificates only, each once', async () => {
    const problems: string[] = [];
    const leaf = await pki.issue({ uris: ['https://app.example/x'] });
    const read = readTrustAnchors(`${pki.root.pem}\n${pki.root.pem}\n${leaf.pem}`, 'UDAP_TRUST_ANCHORS_FILE', problems);
    assert.equal(read.length, 1);
    assert.equal(problems.length, 2, problems.join('\n'));
    assert.match(problems.join('\n'), /listed twice/);
    assert.match(problems.join('\n'), /not a CA certificate/);
    const none: string[] = [];
    readTrustAnchors('not a certificate', 'UDAP_TRUST_ANCHORS_FILE', none);
    assert.match(none.join(), /holds no PEM certificate/);
  });

  it('reads SAN URIs, CRL distribution points and serials', async () => {
    const pkiWithCrls = await TestPki.create({ crlBaseUrl: 'http://127.0.0.1:9/crls' });
    const leaf = parse(await pkiWithCrls.issue({ uris: ['https://app.example/one', 'urn:example:two'] }));
    assert.deepEqual(leaf.uris(), ['https://app.example/one', 'urn:example:two']);
    assert.deepEqual(leaf.crlUrls(), ['http://127.0.0.1:9/crls/intermediate.crl']);
    assert.match(leaf.serial, /^[0-9a-f]+$/);
    assert.equal(leaf.x5tS256.length, 43);
  });
});
