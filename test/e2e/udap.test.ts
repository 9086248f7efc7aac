import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt, decodeProtectedHeader, importX509, jwtVerify, type JWTPayload } from 'jose';
import { privateKeyPem, signX5cJwt, startSuite, TestPki, type RunningSuite, type TestCertificate } from '#testing';
import { browse, completeInteraction, CookieJar, csrfOf, obtainCode, pkcePair, postForm } from './support/form-flow.js';
import { assertOAuthError, bearer, call, eventually, type Reply } from './support/http.js';
import { adminToken, createUser, type TestUser } from './support/people.js';
import { authenticationToken, claimsOf, udapPost } from './support/udap.js';

/** A host name, not the loopback address the suite listens on: the server certificate names it before the port is known. */
const ISSUER = 'https://udap-auth.test';
const FHIR_BASE = `${ISSUER}/fhir`;
const REGISTER = `${ISSUER}/register`;
const TOKEN = `${ISSUER}/token`;
const PAYERS = 'urn:example:udap:payers';
const DAY = 86_400_000;
/** The SANs of the authentication tests' clients. */
const B2B_RSA = 'https://b2b.test/rsa';
const B2B_EC = 'https://b2b.test/ec';
const PORTAL = 'https://clinic-portal.test/udap';

/**
 * UDAP Security 2.0 (issue #17): discovery with signed metadata, trusted
 * dynamic client registration and its refusals, the community trust tier,
 * and UDAP client authentication (B2B client credentials with the hl7-b2b
 * extension required, authorization code, /introspect and /revoke), against a
 * suite configured with a PKI the test makes: the payers community (CRLs
 * served here on loopback, its clients vouched for `system/*.rs` only), the
 * clinics community (everything), a community whose CRLs cannot be had, and
 * one whose CRL the test changes (revocation after registration).
 */
describe('UDAP: discovery, trusted dynamic registration, community trust, client authentication', () => {
  let suite: RunningSuite;
  let crlServer: Server;
  let dir: string;
  let payers: TestPki;
  let clinics: TestPki;
  let flaky: TestPki;
  let revocable: TestPki;
  const clients: Record<'rsa' | 'ec' | 'clinic' | 'revoked' | 'expired' | 'flaky' | 'untrusted', TestCertificate> = {} as never;
  /** Client certificates of the authentication tests: two B2B apps (RSA, EC), a renewal, another SAN, the same SAN in another community, an expired one, one revoked later, a clinic's app. */
  const authn: Record<'rsa' | 'ec' | 'renewed' | 'otherSan' | 'foreign' | 'expired' | 'revocable' | 'portal', TestCertificate> = {} as never;
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
    revocable = await TestPki.create({ name: 'Revocable', crlBaseUrl: `${crlBase}/revocable` });
    untrustedPki = await TestPki.create({ name: 'Nobody Trusts' });
    const server = await payers.issue({ uris: [ISSUER, FHIR_BASE], commonName: 'udap-auth.test' });
    clients.rsa = await payers.issue({ uris: ['https://payer-app.test/udap'] });
    clients.ec = await payers.issue({ uris: ['https://payer-ec.test/udap'], kind: 'ec' });
    clients.clinic = await clinics.issue({ uris: ['https://clinic-app.test/udap', 'https://payer-app.test/udap'], kind: 'ec' });
    clients.revoked = await payers.issue({ uris: ['https://revoked.test/udap'] });
    clients.expired = await payers.issue({ uris: ['https://expired.test/udap'], notBefore: new Date(Date.now() - 30 * DAY), notAfter: new Date(Date.now() - DAY) });
    clients.flaky = await flaky.issue({ uris: ['https://flaky.test/udap'] });
    clients.untrusted = await untrustedPki.issue({ uris: ['https://untrusted.test/udap'] });
    authn.rsa = await payers.issue({ uris: [B2B_RSA] });
    authn.ec = await payers.issue({ uris: [B2B_EC], kind: 'ec' });
    authn.renewed = await payers.issue({ uris: [B2B_RSA], kind: 'ec' });
    authn.otherSan = await payers.issue({ uris: ['https://b2b.test/other'] });
    authn.foreign = await clinics.issue({ uris: [B2B_RSA], kind: 'ec' });
    authn.expired = await payers.issue({ uris: [B2B_RSA], notBefore: new Date(Date.now() - 30 * DAY), notAfter: new Date(Date.now() - DAY) });
    authn.revocable = await revocable.issue({ uris: ['https://revocable.test/udap'] });
    authn.portal = await clinics.issue({ uris: [PORTAL], kind: 'ec' });
    crls.set('/payers/intermediate.crl', await payers.crl([clients.revoked]));
    crls.set('/payers/root.crl', await payers.crl([], payers.root));
    crls.set('/revocable/root.crl', await revocable.crl([], revocable.root));

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
        UDAP_TRUST_ANCHORS_FILE: file('anchors.pem', [payers.root.pem, clinics.root.pem, flaky.root.pem, revocable.root.pem].join('\n')),
        UDAP_COMMUNITIES_FILE: file(
          'communities.yaml',
          [
            'communities:',
            `  - { uri: "${PAYERS}", anchor: "${sha256(payers.root)}", privileges: "system/*.rs" }`,
            `  - { uri: "urn:example:udap:clinics", anchor: "${sha256(clinics.root)}" }`,
            `  - { anchor: "${sha256(flaky.root)}" }`,
            `  - { anchor: "${sha256(revocable.root)}" }`,
          ].join('\n'),
        ),
        UDAP_SERVER_CERT_FILE: file('server.pem', `${server.pem}\n${payers.intermediate.pem}`),
        UDAP_SERVER_KEY_FILE: file('server.key', await privateKeyPem(server)),
        // Test only: the CRLs are served on loopback, which CRL fetching otherwise refuses.
        UDAP_CRL_ALLOWED_HOSTS: '127.0.0.1',
        // UDAP Security 2.0 §2.2, §5.2.1.1: every client_credentials token request carries the HL7 B2B extension.
        UDAP_AUTHORIZATION_EXTENSIONS_REQUIRED: 'hl7-b2b',
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
        assert.deepEqual(doc.udap_authorization_extensions_supported, ['hl7-b2b']);
        assert.deepEqual(doc.udap_authorization_extensions_required, ['hl7-b2b']);
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
      // The administrator sees who the client is in its community (UDAP Security 2.0 §3.4).
      const fingerprint = (c: TestCertificate) => new X509Certificate(c.pem).fingerprint256.replace(/:/g, '').toLowerCase();
      assert.deepEqual(view.json.udap, { issuer: 'https://payer-app.test/udap', community: PAYERS, anchor_sha256: fingerprint(payers.root), certificate_sha256: fingerprint(clients.rsa) });
    });

    it("shows a UDAP client's identity on its app directory page (/admin/apps/:client_id)", async () => {
      const siteAdmin = await createUser(suite, admin, { fhirUser: 'Practitioner/pr-udap-admin' });
      const promoted = await call(suite, `/admin/users/${siteAdmin.id}`, { method: 'PATCH', headers: { authorization: bearer(admin), 'content-type': 'application/json' }, body: '{"admin":true}' });
      assert.equal(promoted.status, 200, promoted.text);
      const jar = new CookieJar();
      const path = `/admin/apps/${payerClientId}`;
      const signIn = await browse(suite, jar, path, { headers: { accept: 'text/html' } });
      const signedIn = await postForm(suite, jar, '/admin/login', { csrf: csrfOf(signIn.text), username: siteAdmin.username, password: siteAdmin.password, return_to: path });
      assert.equal(signedIn.status, 303, signedIn.text.slice(0, 300));
      const page = await browse(suite, jar, path, { headers: { accept: 'text/html' } });
      assert.equal(page.status, 200, page.text.slice(0, 300));
      const fingerprint = new X509Certificate(clients.rsa.pem).fingerprint256.replace(/:/g, '').toLowerCase();
      for (const shown of ['UDAP issuer (certificate SAN)', 'https://payer-app.test/udap', 'UDAP community', PAYERS, 'UDAP certificate SHA-256', fingerprint]) assert.ok(page.text.includes(shown), shown);
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
  describe('UDAP client authentication (UDAP Security 2.0 §5.2 B2B client credentials, §4.2 authorization code, /introspect, /revoke)', () => {
    const B2B = {
      'hl7-b2b': {
        version: '1',
        subject_name: 'Claims batch',
        organization_name: 'Example Payer',
        organization_id: 'https://payer.test/org',
        purpose_of_use: ['urn:oid:2.16.840.1.113883.5.8#HPAYMT'],
      },
    };
    const ids: Record<'rsa' | 'ec', string> = {} as never;
    const registerWith = async (certificate: TestCertificate, iss: string, chain: TestCertificate[], statement: JWTPayload = backend(iss)) => {
      const reply = await udapRegister(await signX5cJwt(statement, certificate, chain));
      assert.equal(reply.status, 201, reply.text);
      return reply.json.client_id as string;
    };
    /** client_credentials for `clientId`, its token signed by `signer`, with the B2B extension unless `claims` says otherwise. */
    const clientCredentials = async (clientId: string, signer: TestCertificate, claims: JWTPayload = {}, params: Record<string, string | undefined> = {}, chain = [payers.intermediate]) =>
      udapPost(suite, '/token', await authenticationToken(clientId, TOKEN, signer, chain, { extensions: B2B, ...claims }), { grant_type: 'client_credentials', scope: 'system/*.rs', ...params });
    /** The `token.issued` event of the token `jti` (the audit service stores events a moment after they are published). */
    type AuditEntry = { event: { data: Record<string, unknown> } };
    const auditOf = async (clientId: string, jti: string): Promise<AuditEntry> => {
      const withJti = (r: Reply) => ((r.json.events as AuditEntry[] | undefined) ?? []).find((e) => e.event.data.jti === jti);
      const reply = await eventually(() => call(suite, `/admin/audit?client_id=${encodeURIComponent(clientId)}&type=token.issued&limit=100`, { headers: { authorization: bearer(admin) } }), (r) => withJti(r) !== undefined, `token.issued ${jti}`);
      return withJti(reply)!;
    };

    before(async () => {
      ids.rsa = await registerWith(authn.rsa, B2B_RSA, [payers.intermediate]);
      ids.ec = await registerWith(authn.ec, B2B_EC, [payers.intermediate]);
    });

    for (const kind of ['rsa', 'ec'] as const) {
      it(`issues a client_credentials token to a ${kind === 'rsa' ? 'RS256' : 'ES256'} client with hl7-b2b: the token and its audit event carry purpose of use and organization; at most 60 minutes`, async () => {
        const reply = await clientCredentials(ids[kind], authn[kind]);
        assert.equal(reply.status, 200, reply.text);
        // RFC 6749 §5.1 (Inferno udap_token_exchange_response_headers, _response_body).
        assert.equal(reply.headers.get('cache-control'), 'no-store');
        assert.equal(reply.headers.get('pragma'), 'no-cache');
        assert.equal(reply.json.token_type, 'Bearer');
        assert.equal(reply.json.scope, 'system/*.rs');
        assert.equal(reply.json.refresh_token, undefined);
        assert.ok((reply.json.expires_in as number) > 0 && (reply.json.expires_in as number) <= 3600);
        const claims = claimsOf(reply.json.access_token as string);
        assert.equal(claims.client_id, ids[kind]);
        assert.deepEqual(claims.extensions, B2B);
        assert.ok((claims.exp as number) - (claims.iat as number) <= 3600);
        const event = await auditOf(ids[kind], claims.jti as string);
        assert.deepEqual(event.event.data.authorization_extensions, {
          extensions: ['hl7-b2b'],
          purpose_of_use: ['urn:oid:2.16.840.1.113883.5.8#HPAYMT'],
          organization_id: 'https://payer.test/org',
          organization_name: 'Example Payer',
          subject_name: 'Claims batch',
        });
      });
    }

    it('refuses a token request without the required hl7-b2b extension: 400 invalid_grant with extensions_required', async () => {
      const reply = await clientCredentials(ids.rsa, authn.rsa, { extensions: undefined });
      assertOAuthError(reply, 400, 'invalid_grant');
      assert.deepEqual(reply.json.extensions_required, ['hl7-b2b']);
      const malformed = await clientCredentials(ids.rsa, authn.rsa, { extensions: { 'hl7-b2b': { ...B2B['hl7-b2b'], purpose_of_use: [] } } });
      assertOAuthError(malformed, 400, 'invalid_grant', 'an empty purpose_of_use');
    });

    it('refuses a replayed Authentication Token (jti): 401 invalid_client', async () => {
      const assertion = await authenticationToken(ids.rsa, TOKEN, authn.rsa, [payers.intermediate], { extensions: B2B });
      const params = { grant_type: 'client_credentials', scope: 'system/*.rs' };
      assert.equal((await udapPost(suite, '/token', assertion, params)).status, 200);
      assertOAuthError(await udapPost(suite, '/token', assertion, params), 401, 'invalid_client', 'replayed');
    });

    it('asks for udap=1 at /token (400 invalid_request)', async () => {
      assertOAuthError(await clientCredentials(ids.rsa, authn.rsa, {}, { udap: undefined }), 400, 'invalid_request');
    });

    it('accepts a renewed certificate (same SAN, same anchor, a new key)', async () => {
      const reply = await clientCredentials(ids.rsa, authn.renewed);
      assert.equal(reply.status, 200, reply.text);
    });

    const now = () => Math.floor(Date.now() / 1000);
    const refusals: Array<[string, () => Promise<Reply>]> = [
      ['a certificate of another SAN', () => clientCredentials(ids.rsa, authn.otherSan)],
      ['an expired certificate', () => clientCredentials(ids.rsa, authn.expired)],
      ["a certificate of the client's SAN under another community", () => clientCredentials(ids.rsa, authn.foreign, {}, {}, [clinics.intermediate])],
      ['exp more than five minutes ahead', () => clientCredentials(ids.rsa, authn.rsa, { exp: now() + 900 })],
      ['an expired token', () => clientCredentials(ids.rsa, authn.rsa, { iat: now() - 900, exp: now() - 600 })],
      ['aud other than the token endpoint', () => clientCredentials(ids.rsa, authn.rsa, { aud: REGISTER })],
      ['iss other than the client_id (its SAN)', () => clientCredentials(ids.rsa, authn.rsa, { iss: B2B_RSA, sub: ids.rsa })],
      ['sub other than the client_id', () => clientCredentials(ids.rsa, authn.rsa, { sub: B2B_RSA })],
      ["another UDAP client's client_id", () => clientCredentials(ids.ec, authn.rsa)],
    ];
    for (const [name, send] of refusals) {
      it(`refuses ${name}: 401 invalid_client`, async () => assertOAuthError(await send(), 401, 'invalid_client', name));
    }

    it('refuses a certificate revoked after registration once the cached CRL is past its nextUpdate (401 invalid_client)', async () => {
      // The community's CRL says "nothing revoked" for the next 3 s: the registration and the first token fetch and keep it.
      const firstNextUpdate = Date.now() + 3000;
      crls.set('/revocable/intermediate.crl', await revocable.crl([], revocable.intermediate, new Date(firstNextUpdate)));
      const clientId = await registerWith(authn.revocable, 'https://revocable.test/udap', [revocable.intermediate], { ...backend('https://revocable.test/udap'), scope: 'system/*.rs' });
      assert.equal((await clientCredentials(clientId, authn.revocable, {}, {}, [revocable.intermediate])).status, 200);
      crls.set('/revocable/intermediate.crl', await revocable.crl([authn.revocable], revocable.intermediate));
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, firstNextUpdate - Date.now()) + 250));
      const reply = await clientCredentials(clientId, authn.revocable, {}, {}, [revocable.intermediate]);
      assertOAuthError(reply, 401, 'invalid_client', 'revoked');
      assert.match(String(reply.json.error_description), /revoked/);
    });

    it('authenticates /introspect and /revoke with UDAP Authentication Tokens', async () => {
      const issued = await clientCredentials(ids.ec, authn.ec);
      assert.equal(issued.status, 200, issued.text);
      const token = issued.json.access_token as string;
      const asked = async (path: string) => udapPost(suite, path, await authenticationToken(ids.ec, `${ISSUER}${path}`, authn.ec, [payers.intermediate]), { token, udap: undefined });
      const active = await asked('/introspect');
      assert.equal(active.status, 200, active.text);
      assert.equal(active.json.active, true);
      assert.equal(active.json.client_id, ids.ec);
      assert.deepEqual(active.json.extensions, B2B);
      assert.equal((await asked('/revoke')).status, 200);
      const inactive = await asked('/introspect');
      assert.deepEqual(inactive.json, { active: false });
      const forged = await udapPost(suite, '/introspect', await authenticationToken(ids.ec, `${ISSUER}/introspect`, authn.otherSan, [payers.intermediate]), { token });
      assertOAuthError(forged, 401, 'invalid_client', 'introspection by a certificate of another SAN');
    });

    describe('authorization code (UDAP Security 2.0 §4, §7.2)', () => {
      const CALLBACK = 'https://clinic-portal.test/callback';
      let portalId: string;
      let person: TestUser;
      before(async () => {
        portalId = await registerWith(authn.portal, PORTAL, [clinics.intermediate], {
          ...userApp(PORTAL),
          client_name: 'Clinic portal',
          redirect_uris: [CALLBACK],
          logo_uri: 'https://clinic-portal.test/logo.png',
          scope: 'openid fhirUser launch/patient patient/*.rs offline_access',
        });
        person = await createUser(suite, admin, { fhirUser: 'Patient/udap-portal-1' });
      });
      const request = { redirect_uri: CALLBACK, scope: 'openid fhirUser launch/patient patient/*.rs offline_access', aud: FHIR_BASE };

      it('requires state of a UDAP app: invalid_request at the redirect URI', async () => {
        const jar = new CookieJar();
        const query = new URLSearchParams({ response_type: 'code', client_id: portalId, ...request, code_challenge: pkcePair().challenge, code_challenge_method: 'S256' });
        const started = await browse(suite, jar, `/authorize?${query.toString()}`);
        const location = started.headers.get('location') ?? '';
        // RFC 9700 §4.11.2: the error goes back once the person signed in (or at once with a live session).
        const callback = location.startsWith('/interaction/') ? await completeInteraction(suite, jar, location, person) : new URL(location);
        assert.equal(`${callback.origin}${callback.pathname}`, CALLBACK);
        assert.equal(callback.searchParams.get('error'), 'invalid_request');
        assert.equal(callback.searchParams.get('code'), null);
      });

      it('redeems a code (PKCE, state) and a refresh token with UDAP Authentication Tokens; access tokens live at most 60 minutes', async () => {
        const obtained = await obtainCode(suite, { client_id: portalId, ...request }, person);
        assert.equal(obtained.callback.searchParams.get('state'), obtained.state);
        const assertion = () => authenticationToken(portalId, TOKEN, authn.portal, [clinics.intermediate]);
        const redeemed = await udapPost(suite, '/token', await assertion(), { grant_type: 'authorization_code', code: obtained.code, redirect_uri: CALLBACK, code_verifier: obtained.verifier });
        assert.equal(redeemed.status, 200, redeemed.text);
        assert.equal(redeemed.json.patient, 'udap-portal-1');
        assert.equal(typeof redeemed.json.id_token, 'string');
        assert.ok((redeemed.json.expires_in as number) <= 3600);
        const claims = claimsOf(redeemed.json.access_token as string);
        assert.ok((claims.exp as number) - (claims.iat as number) <= 3600);
        assert.equal(claims.extensions, undefined);
        const refreshed = await udapPost(suite, '/token', await assertion(), { grant_type: 'refresh_token', refresh_token: redeemed.json.refresh_token as string });
        assert.equal(refreshed.status, 200, refreshed.text);
        const again = await udapPost(suite, '/token', await assertion(), { grant_type: 'authorization_code', code: obtained.code, redirect_uri: CALLBACK, code_verifier: obtained.verifier });
        assertOAuthError(again, 400, 'invalid_grant', 'a spent code');
      });

      it('refuses a code redeemed without the PKCE verifier, and a code request without PKCE', async () => {
        const obtained = await obtainCode(suite, { client_id: portalId, ...request }, person);
        const assertion = await authenticationToken(portalId, TOKEN, authn.portal, [clinics.intermediate]);
        assertOAuthError(await udapPost(suite, '/token', assertion, { grant_type: 'authorization_code', code: obtained.code, redirect_uri: CALLBACK }), 400, 'invalid_grant', 'no code_verifier (RFC 7636 §4.6)');
        const jar = new CookieJar();
        const query = new URLSearchParams({ response_type: 'code', client_id: portalId, ...request, state: 's' });
        const location = (await browse(suite, jar, `/authorize?${query.toString()}`)).headers.get('location') ?? '';
        const callback = location.startsWith('/interaction/') ? await completeInteraction(suite, jar, location, person) : new URL(location);
        assert.equal(callback.searchParams.get('error'), 'invalid_request');
      });
    });
  });
  describe('smart-auth udap inspect (the CLI, locally on its input)', () => {
    /** Runs `node dist/apps/cli/main.js udap inspect …`; its exit code and output. */
    const inspect = (args: string[]) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, ['dist/apps/cli/main.js', 'udap', 'inspect', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      });
    const statementFile = async (name: string, claims: JWTPayload, signer: TestCertificate, chain: TestCertificate[]) => {
      const path = join(dir, name);
      writeFileSync(path, await signX5cJwt(claims, signer, chain));
      return path;
    };
    const trust = () => ['--anchors', join(dir, 'anchors.pem'), '--registration-endpoint', REGISTER];

    it('exits 0 on a statement the server would accept, showing the chain', async () => {
      const ran = await inspect([await statementFile('good.jwt', backend(B2B_EC), authn.ec, [payers.intermediate]), ...trust()]);
      assert.equal(ran.code, 0, ran.stdout + ran.stderr);
      assert.match(ran.stdout, /SAN URIs\s+https:\/\/b2b\.test\/ec/);
      assert.match(ran.stdout, /CRL DPs\s+http:\/\/127\.0\.0\.1:\d+\/payers\/intermediate\.crl/);
      assert.match(ran.stdout, /Result: no rule broken/);
    });

    it('exits 1 on bad statements, each problem on its own line naming its rule', async () => {
      const bad = await statementFile('bad.jwt', { ...backend(B2B_EC), sub: 'https://b2b.test/else', aud: `${ISSUER}/token`, grant_types: ['client_credentials', 'refresh_token'] }, authn.ec, [payers.intermediate]);
      const ran = await inspect([bad, ...trust()]);
      assert.equal(ran.code, 1, ran.stdout + ran.stderr);
      for (const rule of ['sub-equals-iss', 'aud-is-registration-endpoint', 'refresh-token-with-authorization-code']) assert.match(ran.stdout, new RegExp(`^  \\[${rule}\\] `, 'm'), rule);
      const untrusted = await inspect([await statementFile('untrusted.jwt', backend('https://untrusted.test/udap'), clients.untrusted, [untrustedPki.intermediate]), ...trust()]);
      assert.equal(untrusted.code, 1);
      assert.match(untrusted.stdout, /^ {2}\[chain-to-anchor\] .*unapproved_software_statement/m);
      const expired = await inspect([await statementFile('expired.jwt', backend('https://expired.test/udap'), clients.expired, [payers.intermediate]), ...trust(), '--json']);
      assert.equal(expired.code, 1);
      assert.deepEqual((JSON.parse(expired.stdout) as { problems: Array<{ rule: string }> }).problems.map((p) => p.rule), ['certificate-validity']);
    });
  });
});
