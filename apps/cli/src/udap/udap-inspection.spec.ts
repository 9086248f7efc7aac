import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { JWTPayload } from 'jose';
import { signX5cJwt, TestPki, type TestCertificate } from '#testing';
import { inspectionText } from '../commands/udap.commands.js';
import { inspectUdapInput } from './udap-inspection.js';

const REGISTER = 'https://auth.example/register';
const ISS = 'https://app.example/udap';

describe('smart-auth udap inspect: why a UDAP software statement would be refused', () => {
  let pki: TestPki;
  let stranger: TestPki;
  let client: TestCertificate;
  let expired: TestCertificate;
  const statement = (claims: JWTPayload = {}, signer = client, chain = [pki.intermediate], options: Parameters<typeof signX5cJwt>[3] = {}) =>
    signX5cJwt({ iss: ISS, sub: ISS, aud: REGISTER, client_name: 'App', contacts: ['mailto:ops@app.example'], grant_types: ['client_credentials'], token_endpoint_auth_method: 'private_key_jwt', scope: 'system/*.rs', ...claims }, signer, chain, options);
  const rules = async (input: string, options = {}) => (await inspectUdapInput(input, { anchorsPem: pki.root.pem, registrationEndpoint: REGISTER, ...options })).problems.map((p) => p.rule);

  before(async () => {
    pki = await TestPki.create({ crlBaseUrl: 'http://crl.example' });
    stranger = await TestPki.create({ name: 'Stranger' });
    client = await pki.issue({ uris: [ISS] });
    expired = await pki.issue({ uris: [ISS], notBefore: new Date(Date.now() - 30 * 86_400_000), notAfter: new Date(Date.now() - 86_400_000) });
  });

  it('accepts a good statement and shows its chain, leaving revocation and jti to the server', async () => {
    const inspection = await inspectUdapInput(await statement(), { anchorsPem: pki.root.pem, registrationEndpoint: REGISTER });
    assert.deepEqual(inspection.problems, []);
    assert.equal(inspection.accepted, true);
    assert.deepEqual(inspection.header, { alg: 'RS256', x5c: 2 });
    assert.deepEqual(inspection.certificates[0]!.san_uris, [ISS]);
    assert.deepEqual(inspection.certificates[0]!.key_usage, ['digitalSignature']);
    assert.deepEqual(inspection.certificates[0]!.crl_distribution_points, ['http://crl.example/intermediate.crl']);
    assert.equal(inspection.certificates[1]!.ca, true);
    assert.deepEqual(inspection.not_checked.map((n) => n.rule), ['udap-1', 'revocation', 'jti-unused']);
    const text = inspectionText(inspection);
    assert.match(text, /SAN URIs\s+https:\/\/app\.example\/udap/);
    assert.match(text, /Result: no rule broken/);
  });

  const refused: Array<[string, () => Promise<string>, string[], object?]> = [
    ['sub other than iss', () => statement({ sub: 'https://app.example/other' }), ['sub-equals-iss']],
    ['an iss the certificate does not name, for another server, living ten minutes', async () => statement({ iss: 'https://other.example', sub: 'https://other.example', aud: 'https://elsewhere/register', exp: Math.floor(Date.now() / 1000) + 600 }), ['iss-is-certificate-san', 'aud-is-registration-endpoint', 'exp-within-5-minutes-of-iat']],
    ['no jti, both grant flows, no contacts', () => statement({ jti: '', grant_types: ['client_credentials', 'authorization_code'], contacts: undefined }), ['jti-required', 'grant-types-one-flow', 'contacts-mailto', 'redirect-uris-required', 'logo-uri-image']],
    ['a signature by another key', () => statement({}, client, [pki.intermediate], { key: expired.keys.privateKey }), ['signature']],
    ['an expired certificate', () => statement({}, expired), ['certificate-validity']],
    ['a chain that reaches no trust anchor', async () => statement({}, await stranger.issue({ uris: [ISS] }), [stranger.intermediate]), ['chain-to-anchor']],
    ['a registration request without udap "1"', async () => JSON.stringify({ software_statement: await statement(), udap: '2' }), ['udap-1']],
    ['not a JWT', async () => 'not-a-statement', ['compact-jws']],
  ];
  for (const [name, make, expected] of refused) {
    it(`refuses ${name}, naming each rule`, async () => {
      const input = await make();
      assert.deepEqual(await rules(input), expected);
      const text = inspectionText(await inspectUdapInput(input, { anchorsPem: pki.root.pem, registrationEndpoint: REGISTER }));
      for (const rule of expected) assert.match(text, new RegExp(`^  \\[${rule}\\] `, 'm'));
      assert.match(text, /Result: it would be refused/);
    });
  }

  it('inspects certificates: SAN, validity, key usage, the path to the anchors', async () => {
    assert.deepEqual(await rules(`${client.pem}\n${pki.intermediate.pem}`), []);
    const server = await pki.issue({ keyUsage: 0x20 /* keyEncipherment */, commonName: 'no-san' });
    assert.deepEqual(await rules(`${server.pem}\n${pki.intermediate.pem}`), ['leaf-san-uri', 'leaf-key-usage']);
    assert.deepEqual(await rules(client.pem), ['chain-to-anchor']);
  });
});
