import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { JWTPayload } from 'jose';
import type { ClientRecord } from '#contracts';
import { signX5cJwt, TestPki, type TestCertificate } from '#testing';
import { InMemoryAssertionReplayStore } from '../messaging/assertion-replay.store.js';
import { CrlUnavailable, type CrlSource } from '../udap/crl-fetcher.js';
import { CrlRevocation } from '../udap/crl-revocation.js';
import { ParsedCertificate } from '../udap/parsed-certificate.js';
import { x509 } from '../udap/peculiar-x509.js';
import { AssertionRejected, AssertionRequestMalformed } from './assertion-rejected.js';
import { ClientAssertionVerifier, type AssertionExpectations } from './client-assertion.verifier.js';
import { ClientKeyResolver } from './client-key.resolver.js';
import { JwksUriFetcher } from './jwks-uri.fetcher.js';
import { OutboundAddressPolicy } from './outbound-address.policy.js';
import { UdapClientCertificates } from './udap-client-certificates.js';

const ISSUER = 'https://auth.example';
const TOKEN_URL = `${ISSUER}/token`;
const CRL_BASE = 'http://crl.test';
const SAN = 'https://payer.example/udap';

/** The JWT with members added to its protected header (its signature no longer matches). */
const withHeader = (jwt: string, extra: Record<string, unknown>) => {
  const header = JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString('utf8')) as Record<string, unknown>;
  return jwt.replace(/^[^.]+/, Buffer.from(JSON.stringify({ ...header, ...extra })).toString('base64url'));
};

/** CRLs by URL, as the test publishes them. */
class PublishedCrls implements CrlSource {
  readonly served = new Map<string, Buffer>();
  async crl(url: string): Promise<x509.X509Crl> {
    const crl = this.served.get(url);
    if (!crl) throw new CrlUnavailable(`the CRL at ${url} could not be fetched`);
    return new x509.X509Crl(new Uint8Array(crl));
  }
}

describe('UDAP client authentication: the x5c certificate as the client key (UDAP Security 2.0 §5.2.1, §7.1)', () => {
  let pki: TestPki;
  let other: TestPki;
  const certs = {} as Record<'rsa' | 'ec' | 'renewed' | 'otherSan' | 'expired' | 'revoked' | 'otherCommunity', TestCertificate>;
  const crls = new PublishedCrls();
  const clients = new Map<string, ClientRecord>();
  let verifier: ClientAssertionVerifier;

  const udapClient = (clientId: string, anchor: TestCertificate, options: { withAnchor?: boolean; iss?: string } = {}): ClientRecord => {
    const parsed = ParsedCertificate.fromX5c(anchor.x5c, 'anchor');
    return {
      client_id: clientId,
      metadata: { redirect_uris: [], token_endpoint_auth_method: 'private_key_jwt', grant_types: ['client_credentials'], response_types: [], scope: 'system/*.rs' },
      client_id_issued_at: 0,
      revision: 1,
      udap: {
        iss: options.iss ?? SAN,
        anchor_sha256: parsed.sha256,
        certificate_sha256: 'registered',
        public_jwk: {},
        ...(options.withAnchor === false ? {} : { anchor_certificate: anchor.x5c }),
      },
    };
  };

  before(async () => {
    pki = await TestPki.create({ crlBaseUrl: CRL_BASE });
    other = await TestPki.create({ name: 'Other', crlBaseUrl: `${CRL_BASE}/other` });
    certs.rsa = await pki.issue({ uris: [SAN] });
    certs.ec = await pki.issue({ uris: [SAN], kind: 'ec' });
    certs.renewed = await pki.issue({ uris: ['https://payer.example/other', SAN] });
    certs.otherSan = await pki.issue({ uris: ['https://payer.example/other'] });
    certs.expired = await pki.issue({ uris: [SAN], notBefore: new Date(Date.now() - 30 * 86_400_000), notAfter: new Date(Date.now() - 86_400_000) });
    certs.revoked = await pki.issue({ uris: [SAN] });
    certs.otherCommunity = await other.issue({ uris: [SAN] });
    crls.served.set(`${CRL_BASE}/intermediate.crl`, await pki.crl([certs.revoked]));
    crls.served.set(`${CRL_BASE}/root.crl`, await pki.crl([], pki.root));
    crls.served.set(`${CRL_BASE}/other/intermediate.crl`, await other.crl([]));
    crls.served.set(`${CRL_BASE}/other/root.crl`, await other.crl([], other.root));
    clients.set('payer', udapClient('payer', pki.root));
    clients.set('forgotten', udapClient('forgotten', pki.root, { withAnchor: false }));
    const keys = new ClientKeyResolver(new JwksUriFetcher(OutboundAddressPolicy.allowingEverything()));
    verifier = new ClientAssertionVerifier({ get: async (id) => clients.get(id) ?? null }, keys, new InMemoryAssertionReplayStore(), ISSUER, new UdapClientCertificates(new CrlRevocation(crls)));
  });

  const now = () => Math.floor(Date.now() / 1000);
  const claims = (overrides: JWTPayload = {}): JWTPayload => ({ iss: 'payer', sub: 'payer', aud: TOKEN_URL, ...overrides });
  const token = (signer: TestCertificate, overrides: JWTPayload = {}, chain: TestCertificate[] = [signer === certs.otherCommunity ? other.intermediate : pki.intermediate]) =>
    signX5cJwt(claims(overrides), signer, chain);
  const verify = (jwt: string, expected: Partial<AssertionExpectations> = {}) => verifier.verify(jwt, { use: 'client_authentication', endpoint: '/token', udap: '1', ...expected });

  it('accepts RS256 and ES256 tokens signed by a certificate naming the registered URI under the registered anchor', async () => {
    for (const signer of [certs.rsa, certs.ec]) {
      const verified = await verify(await token(signer));
      assert.equal(verified.client.client_id, 'payer');
      assert.equal(verified.udapCertificateSha256, ParsedCertificate.fromX5c(signer.x5c, 'leaf').sha256);
    }
  });

  it('accepts a renewed certificate: another key, the same SAN among others, the same anchor', async () => {
    assert.equal((await verify(await token(certs.renewed))).client.client_id, 'payer');
  });

  it('hands back the claims, extensions included', async () => {
    const extensions = { 'hl7-b2b': { version: '1', organization_id: 'urn:oid:1.2.3', purpose_of_use: ['TREAT'] } };
    assert.deepEqual((await verify(await token(certs.rsa, { extensions }))).claims.extensions, extensions);
  });

  it('takes udap as optional away from /token (introspection, revocation), its own URL as aud', async () => {
    const verified = await verify(await token(certs.rsa, { aud: `${ISSUER}/introspect` }), { endpoint: '/introspect', udap: undefined });
    assert.equal(verified.client.client_id, 'payer');
  });

  it('refuses a replayed jti', async () => {
    const jwt = await token(certs.rsa);
    await verify(jwt);
    await assert.rejects(verify(jwt), /jti has already been used/);
  });

  it('spends no jti on a token refused for its certificate', async () => {
    const jti = 'kept-for-later';
    await assert.rejects(verify(await token(certs.otherSan, { jti })), AssertionRejected);
    await verify(await token(certs.rsa, { jti }));
  });

  it('asks for udap=1 at /token with invalid_request, and refuses another udap value anywhere', async () => {
    await assert.rejects(verify(await token(certs.rsa), { udap: undefined }), (err: Error) => err instanceof AssertionRequestMalformed && /udap=1 is required/.test(err.message));
    await assert.rejects(verify(await token(certs.rsa, { aud: `${ISSUER}/revoke` }), { endpoint: '/revoke', udap: '2' }), AssertionRequestMalformed);
  });

  const refusals: Array<[string, () => Promise<string>, RegExp]> = [
    ['a certificate with another SAN', () => token(certs.otherSan), /does not name this client's URI/],
    ['a certificate of another community', () => token(certs.otherCommunity), /not trusted for this client \(untrusted\)/],
    ['an expired certificate', () => token(certs.expired), /not trusted for this client \(expired\)/],
    ['a revoked certificate', () => token(certs.revoked), /not trusted for this client \(revoked\)/],
    ['a chain without its intermediate', () => token(certs.rsa, {}, []), /not trusted for this client \(untrusted\)/],
    ['a signature by another key than the certificate\'s', async () => signX5cJwt(claims(), certs.rsa, [pki.intermediate], { key: certs.otherSan.keys.privateKey }), /signature does not verify/],
    ['no x5c (a kid, as for registered keys)', async () => (await token(certs.rsa)).replace(/^[^.]+/, Buffer.from(JSON.stringify({ alg: 'RS256', kid: 'k' })).toString('base64url')), /carries its certificate in x5c/],
    ['a jku beside x5c (the IG\'s experimental alternative)', async () => withHeader(await token(certs.rsa), { jku: 'https://payer.example/jwks' }), /jku is not accepted/],
    ['exp more than five minutes ahead', () => token(certs.rsa, { exp: now() + 900 }), /more than 300 seconds/],
    ['an expired token', () => token(certs.rsa, { iat: now() - 900, exp: now() - 600 }), /expired/],
    ['aud of another server', () => token(certs.rsa, { aud: 'https://elsewhere.example/token' }), /aud must be/],
    ['sub other than the client_id', () => token(certs.rsa, { sub: SAN }), /sub must be the client_id/],
    ['iss that is not a client', () => token(certs.rsa, { iss: SAN }), /iss is not a registered client/],
    ['no jti', () => token(certs.rsa, { jti: '' }), /jti is required/],
  ];
  for (const [name, make, message] of refusals) {
    it(`refuses ${name}`, async () => {
      await assert.rejects(verify(await make()), (err: Error) => {
        assert.ok(err instanceof AssertionRejected && !(err instanceof AssertionRequestMalformed), `${err.name}: ${err.message}`);
        assert.match(err.message, message);
        return true;
      });
    });
  }

  it("refuses a client whose community this server no longer trusts (no anchor in its record)", async () => {
    await assert.rejects(verify(await token(certs.rsa, { iss: 'forgotten', sub: 'forgotten' })), /no longer trusts the client's UDAP community/);
  });
});
