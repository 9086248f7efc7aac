import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt, decodeProtectedHeader, importX509, jwtVerify, type JWTPayload } from 'jose';
import { privateKeyPem, signX5cJwt, startSuite, TestPki, type RunningSuite, type TestCertificate } from '#testing';
import { assertOAuthError, bearer, call, type Reply } from './support/http.js';
import { adminToken } from './support/people.js';

/** A host name, not the loopback address the suite listens on: the server certificate names it before the port is known. */
const ISSUER = 'https://udap-auth.test';
const FHIR_BASE = `${ISSUER}/fhir`;
const REGISTER = `${ISSUER}/register`;
const PAYERS = 'urn:example:udap:payers';
const DAY = 86_400_000;

/**
 * UDAP Security 2.0 (issue #17, part 1): discovery with signed metadata,
 * trusted dynamic client registration and its refusals, and the community
 * trust tier, against a suite configured with a PKI the test makes: the
 * payers community (CRLs served here on loopback, its clients vouched for
 * `system/*.rs` only), the clinics community (everything), and a community
 * whose CRLs cannot be had.
 */
describe('UDAP: discovery, trusted dynamic registration, community trust', () => {
  let suite: RunningSuite;
  let crlServer: Server;
  let dir: string;
  let payers: TestPki;
  let clinics: TestPki;
  let flaky: TestPki;
  const clients: Record<'rsa' | 'ec' | 'clinic' | 'revoked' | 'expired' | 'flaky' | 'untrusted', TestCertificate> = {} as never;
  let untrustedPki: TestPki;
  const crls = new Map<string, Buffer>();
  let admin: string;

  before(async () => {
    crlServer = createServer((req, res) => {
      const crl = crls.get(req.url ?? '');
      if (!crl) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/pkix-crl' }).end(crl);
    });
    await new Promise<void>((resolve) => crlServer.listen(0, '127.0.0.1', resolve));
    const crlBase = `http://127.0.0.1:${(crlServer.address() as AddressInfo).port}`;
    payers = await TestPki.create({ name: 'Payers', crlBaseUrl: `${crlBase}/payers` });
    clinics = await TestPki.create({ name: 'Clinics', kind: 'ec' });
    flaky = await TestPki.create({ name: 'Flaky', crlBaseUrl: `${crlBase}/flaky` });
    untrustedPki = await TestPki.create({ name: 'Nobody Trusts' });
    const server = await payers.issue({ uris: [ISSUER, FHIR_BASE], commonName: 'udap-auth.test' });
    clients.rsa = await payers.issue({ uris: ['https://payer-app.test/udap'] });
    clients.ec = await payers.issue({ uris: ['https://payer-ec.test/udap'], kind: 'ec' });
    clients.clinic = await clinics.issue({ uris: ['https://clinic-app.test/udap', 'https://payer-app.test/udap'], kind: 'ec' });
    clients.revoked = await payers.issue({ uris: ['https://revoked.test/udap'] });
    clients.expired = await payers.issue({ uris: ['https://expired.test/udap'], notBefore: new Date(Date.now() - 30 * DAY), notAfter: new Date(Date.now() - DAY) });
    clients.flaky = await flaky.issue({ uris: ['https://flaky.test/udap'] });
    clients.untrusted = await untrustedPki.issue({ uris: ['https://untrusted.test/udap'] });
    crls.set('/payers/intermediate.crl', await payers.crl([clients.revoked]));
    crls.set('/payers/root.crl', await payers.crl([], payers.root));

    dir = mkdtempSync(join(tmpdir(), 'udap-e2e-'));
    const file = (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    const sha256 = (c: TestCertificate) => new X509Certificate(c.pem).fingerprint256;
    suite = await startSuite({
      env: {
        ISSUER,
        FHIR_BASE_URL: FHIR_BASE,
        UDAP_TRUST_ANCHORS_FILE: file('anchors.pem', [payers.root.pem, clinics.root.pem, flaky.root.pem].join('\n')),
        UDAP_COMMUNITIES_FILE: file(
          'communities.yaml',
          [
            'communities:',
            `  - { uri: "${PAYERS}", anchor: "${sha256(payers.root)}", privileges: "system/*.rs" }`,
            `  - { uri: "urn:example:udap:clinics", anchor: "${sha256(clinics.root)}" }`,
            `  - { anchor: "${sha256(flaky.root)}" }`,
          ].join('\n'),
        ),
        UDAP_SERVER_CERT_FILE: file('server.pem', `${server.pem}\n${payers.intermediate.pem}`),
        UDAP_SERVER_KEY_FILE: file('server.key', await privateKeyPem(server)),
        // Test only: the CRLs are served on loopback, which CRL fetching otherwise refuses.
        UDAP_CRL_ALLOWED_HOSTS: '127.0.0.1',
      },
    });
    admin = await adminToken(suite);
  });
  after(async () => {
    await suite?.stop();
    crlServer?.closeAllConnections();
    crlServer?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** A software statement's claims for a backend (client_credentials) app. */
  const backend = (iss: string, extra: JWTPayload = {}): JWTPayload => ({
    iss,
    sub: iss,
    aud: REGISTER,
    client_name: 'Payer backend',
    contacts: ['mailto:ops@payer-app.test'],
    grant_types: ['client_credentials'],
    token_endpoint_auth_method: 'private_key_jwt',
    scope: 'system/*.rs',
    ...extra,
  });
  const userApp = (iss: string): JWTPayload => ({
    ...backend(iss),
    client_name: 'Clinic app',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: ['https://clinic-app.test/callback'],
    logo_uri: 'https://clinic-app.test/logo.png',
    scope: 'openid fhirUser patient/*.rs',
  });
  const register = (body: unknown): Promise<Reply> => call(suite, '/register', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const udapRegister = (softwareStatement: string, extra: Record<string, unknown> = {}) => register({ software_statement: softwareStatement, udap: '1', certifications: [], ...extra });
  const adminClient = (clientId: string) => call(suite, `/admin/clients/${encodeURIComponent(clientId)}`, { headers: { authorization: bearer(admin) } });

  describe('discovery (UDAP Security 2.0 §2)', () => {
    const documentAt = async (path: string) => {
      const reply = await call(suite, path);
      assert.equal(reply.status, 200, reply.text);
      assert.match(reply.headers.get('content-type') ?? '', /^application\/json/);
      return reply.json;
    };

    for (const [path, base] of [['/.well-known/udap', ISSUER], ['/fhir/.well-known/udap', FHIR_BASE]] as const) {
      it(`${path}: every required field, and signed_metadata verified from its x5c (iss = sub = ${base})`, async () => {
        const doc = await documentAt(path);
        assert.deepEqual(doc.udap_versions_supported, ['1']);
        assert.deepEqual(doc.udap_profiles_supported, ['udap_dcr', 'udap_authn', 'udap_authz']);
        for (const field of ['udap_authorization_extensions_supported', 'udap_authorization_extensions_required', 'udap_certifications_supported', 'udap_certifications_required']) {
          assert.ok(Array.isArray(doc[field]), field);
        }
        assert.deepEqual(doc.grant_types_supported, ['authorization_code', 'refresh_token', 'client_credentials']);
        assert.ok((doc.scopes_supported as string[]).includes('system/*.rs'));
        assert.equal(doc.authorization_endpoint, `${ISSUER}/authorize`);
        assert.equal(doc.token_endpoint, `${ISSUER}/token`);
        assert.equal(doc.registration_endpoint, REGISTER);
        assert.deepEqual(doc.token_endpoint_auth_methods_supported, ['private_key_jwt']);
        for (const field of ['token_endpoint_auth_signing_alg_values_supported', 'registration_endpoint_jwt_signing_alg_values_supported']) {
          assert.ok((doc[field] as string[]).includes('RS256') && (doc[field] as string[]).includes('ES256'), field);
        }
        const jwt = doc.signed_metadata as string;
        const header = decodeProtectedHeader(jwt);
        assert.equal(header.alg, 'RS256');
        const [leafB64, intermediateB64] = header.x5c as string[];
        const leaf = new X509Certificate(Buffer.from(leafB64!, 'base64'));
        const { payload } = await jwtVerify(jwt, await importX509(leaf.toString(), 'RS256'), { algorithms: ['RS256'] });
        assert.equal(payload.iss, base);
        assert.equal(payload.sub, base);
        assert.ok(leaf.subjectAltName?.split(', ').includes(`URI:${base}`), leaf.subjectAltName);
        assert.ok(payload.exp! - payload.iat! <= 365 * 86_400 && payload.exp! > payload.iat!);
        assert.ok(typeof payload.jti === 'string' && payload.jti.length > 0);
        for (const field of ['authorization_endpoint', 'token_endpoint', 'registration_endpoint']) assert.equal(payload[field], doc[field], field);
        // The chain in x5c leads to the payers community's root.
        const intermediate = new X509Certificate(Buffer.from(intermediateB64!, 'base64'));
        assert.ok(leaf.verify(intermediate.publicKey) && intermediate.verify(new X509Certificate(payers.root.pem).publicKey));
      });
    }

    it('answers a known community with its metadata and an unknown one with 204 (§2.4)', async () => {
      const known = await documentAt(`/.well-known/udap?community=${encodeURIComponent(PAYERS)}`);
      assert.equal(decodeJwt(known.signed_metadata as string).iss, ISSUER);
      const unknown = await call(suite, `/.well-known/udap?community=${encodeURIComponent('urn:example:nobody')}`);
      assert.equal(unknown.status, 204);
      assert.equal(unknown.text, '');
      assertOAuthError(await call(suite, '/.well-known/udap?community=a&community=b'), 400, 'invalid_request');
    });
  });

  describe('trusted dynamic registration (UDAP Security 2.0 §3)', () => {
    let payerClientId: string;

    it('registers an RS256 backend app of the payers community (201), echoing the software statement; its system/*.rs is vouched for', async () => {
      const statement = await signX5cJwt(backend('https://payer-app.test/udap'), clients.rsa, [payers.intermediate]);
      const reply = await udapRegister(statement);
      assert.equal(reply.status, 201, reply.text);
      assert.equal(reply.json.software_statement, statement);
      assert.equal(typeof reply.json.client_id, 'string');
      for (const [field, value] of Object.entries({ client_name: 'Payer backend', scope: 'system/*.rs', token_endpoint_auth_method: 'private_key_jwt' })) assert.equal(reply.json[field], value, field);
      assert.deepEqual(reply.json.grant_types, ['client_credentials']);
      for (const absent of ['iss', 'sub', 'aud', 'exp', 'iat', 'jti', 'registration_access_token', 'client_secret', 'redirect_uris', 'privileges_pending']) assert.equal(reply.json[absent], undefined, absent);
      payerClientId = reply.json.client_id as string;
      const view = await adminClient(payerClientId);
      assert.equal(view.status, 200, view.text);
      assert.equal(view.json.trust, 'udap');
      assert.equal(view.json.status, 'approved');
    });

    it('modifies that registration with a later statement of the same iss and community (200, same client_id); what the community does not vouch for waits for an administrator', async () => {
      const statement = await signX5cJwt(backend('https://payer-app.test/udap', { client_name: 'Payer backend v2', scope: 'system/*.rs system/Claim.cruds' }), clients.rsa, [payers.intermediate]);
      const reply = await udapRegister(statement);
      assert.equal(reply.status, 200, reply.text);
      assert.equal(reply.json.client_id, payerClientId);
      assert.equal(reply.json.client_name, 'Payer backend v2');
      assert.deepEqual(reply.json.privileges_pending, { scope: ['system/Claim.cruds'], grant_types: [] });
      const view = await adminClient(payerClientId);
      assert.equal(view.json.status, 'pending');
      assert.deepEqual((view.json.privileges_approved as { scope: string[] }).scope, ['system/*.rs']);
    });

    it('lets an administrator edit a UDAP registration (PUT /admin/clients), its key still its certificate\'s', async () => {
      const body = { client_id: payerClientId, client_name: 'Payer backend (edited)', grant_types: ['client_credentials'], token_endpoint_auth_method: 'private_key_jwt', scope: 'system/*.rs system/Claim.cruds', contacts: ['mailto:ops@payer-app.test'] };
      const reply = await call(suite, `/admin/clients/${payerClientId}`, { method: 'PUT', headers: { authorization: bearer(admin), 'content-type': 'application/json' }, body: JSON.stringify(body) });
      assert.equal(reply.status, 200, reply.text);
      assert.equal(reply.json.client_name, 'Payer backend (edited)');
      assert.equal(reply.json.trust, 'udap');
    });

    it('keeps registrations of the same iss in another community apart (§3.4), and registers an ES256 authorization_code app', async () => {
      const statement = await signX5cJwt({ ...userApp('https://payer-app.test/udap') }, clients.clinic, [clinics.intermediate]);
      const reply = await udapRegister(statement);
      assert.equal(reply.status, 201, reply.text);
      assert.notEqual(reply.json.client_id, payerClientId);
      assert.deepEqual(reply.json.redirect_uris, ['https://clinic-app.test/callback']);
      assert.deepEqual(reply.json.response_types, ['code']);
      assert.deepEqual(reply.json.grant_types, ['authorization_code', 'refresh_token']);
      assert.equal(reply.json.logo_uri, 'https://clinic-app.test/logo.png');
    });

    it('cancels a registration with an empty grant_types (200, grant_types []), after which the client is gone; a second cancellation is refused', async () => {
      const first = await udapRegister(await signX5cJwt(backend('https://payer-ec.test/udap'), clients.ec, [payers.intermediate]));
      assert.equal(first.status, 201, first.text);
      const cancel = () => signX5cJwt({ iss: 'https://payer-ec.test/udap', sub: 'https://payer-ec.test/udap', aud: REGISTER, grant_types: [] }, clients.ec, [payers.intermediate]);
      const reply = await udapRegister(await cancel());
      assert.equal(reply.status, 200, reply.text);
      assert.equal(reply.json.client_id, first.json.client_id);
      assert.deepEqual(reply.json.grant_types, []);
      assert.equal((await adminClient(first.json.client_id as string)).status, 404);
      assertOAuthError(await udapRegister(await cancel()), 400, 'invalid_client_metadata');
    });

    it('offers no RFC 7592 management of a UDAP registration', async () => {
      const reply = await call(suite, `/register/${payerClientId}`, { headers: { authorization: bearer('any-token-at-all') } });
      assertOAuthError(reply, 401, 'invalid_token');
    });

    const now = () => Math.floor(Date.now() / 1000);
    const refusals: Array<[string, () => Promise<Reply>, string]> = [
      ['aud other than the registration endpoint', async () => udapRegister(await signX5cJwt(backend('https://payer-app.test/udap', { aud: `${ISSUER}/token` }), clients.rsa, [payers.intermediate])), 'invalid_software_statement'],
      ['exp more than five minutes after iat', async () => udapRegister(await signX5cJwt(backend('https://payer-app.test/udap', { iat: now(), exp: now() + 600 }), clients.rsa, [payers.intermediate])), 'invalid_software_statement'],
      ['an expired statement', async () => udapRegister(await signX5cJwt(backend('https://payer-app.test/udap', { iat: now() - 900, exp: now() - 700 }), clients.rsa, [payers.intermediate])), 'invalid_software_statement'],
      ['iss that is not a SAN of the certificate', async () => udapRegister(await signX5cJwt(backend('https://someone-else.test/udap'), clients.rsa, [payers.intermediate])), 'invalid_software_statement'],
      ['sub ≠ iss', async () => udapRegister(await signX5cJwt(backend('https://payer-app.test/udap', { sub: 'https://payer-app.test/other' }), clients.rsa, [payers.intermediate])), 'invalid_software_statement'],
      ['a signature by another key than the certificate\'s', async () => udapRegister(await signX5cJwt(backend('https://payer-app.test/udap'), clients.rsa, [payers.intermediate], { key: clients.revoked.keys.privateKey })), 'invalid_software_statement'],
      ['no x5c in the header', async () => udapRegister(`${Buffer.from(JSON.stringify({ alg: 'RS256' })).toString('base64url')}.${Buffer.from('{}').toString('base64url')}.sig`), 'invalid_software_statement'],
      ['a certificate under a root nobody configured', async () => udapRegister(await signX5cJwt(backend('https://untrusted.test/udap'), clients.untrusted, [untrustedPki.intermediate])), 'unapproved_software_statement'],
      ['an expired certificate', async () => udapRegister(await signX5cJwt(backend('https://expired.test/udap'), clients.expired, [payers.intermediate])), 'unapproved_software_statement'],
      ['a certificate revoked on its issuer\'s CRL', async () => udapRegister(await signX5cJwt(backend('https://revoked.test/udap'), clients.revoked, [payers.intermediate])), 'unapproved_software_statement'],
      ['a certificate whose CRL cannot be fetched (fail closed)', async () => udapRegister(await signX5cJwt(backend('https://flaky.test/udap'), clients.flaky, [flaky.intermediate])), 'unapproved_software_statement'],
      ['both authorization_code and client_credentials', async () => udapRegister(await signX5cJwt({ ...userApp('https://payer-app.test/udap'), grant_types: ['authorization_code', 'client_credentials'] }, clients.rsa, [payers.intermediate])), 'invalid_client_metadata'],
      ['a UDAP statement without "udap": "1"', async () => register({ software_statement: await signX5cJwt(backend('https://payer-app.test/udap'), clients.rsa, [payers.intermediate]) }), 'invalid_client_metadata'],
      ['"udap" other than "1"', async () => udapRegister(await signX5cJwt(backend('https://payer-app.test/udap'), clients.rsa, [payers.intermediate]), { udap: '2' }), 'invalid_client_metadata'],
      ['no software_statement', async () => register({ udap: '1' }), 'invalid_software_statement'],
      ['a software_statement that is not a JWT', async () => udapRegister('not-a-jwt'), 'invalid_software_statement'],
    ];
    for (const [name, send, error] of refusals) {
      it(`refuses ${name}: 400 ${error}`, async () => assertOAuthError(await send(), 400, error, name));
    }

    it('accepts a jti once: the same statement again is refused (invalid_software_statement), and a refused statement spends none', async () => {
      const jti = randomUUID();
      const refused = await udapRegister(await signX5cJwt(backend('https://payer-app.test/udap', { jti, aud: 'https://elsewhere.test/register' }), clients.rsa, [payers.intermediate]));
      assertOAuthError(refused, 400, 'invalid_software_statement');
      const statement = await signX5cJwt(backend('https://payer-app.test/udap', { jti }), clients.rsa, [payers.intermediate]);
      const first = await udapRegister(statement);
      assert.equal(first.status, 200, first.text);
      assertOAuthError(await udapRegister(statement), 400, 'invalid_software_statement', 'replayed jti');
    });
  });
});
