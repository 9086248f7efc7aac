import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { stringify } from 'yaml';
import { sha256Hex } from '#oauth';
import { ClientsFileError, parseClientsFile, type ClientsFileOptions } from './clients-file.js';

const PATH = '/etc/smart-auth/clients/clients.yaml';
const SECRET = 'billing-secret-0123456789';
const FILE_SECRET = 'reporting-secret-0123456789';
const key = { ...generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'jwk' }), kid: 'k1' };

const options: ClientsFileOptions = {
  env: { BILLING_SECRET: SECRET, SHORT_SECRET: 'short' },
  readFile: (path) => {
    if (path === '/run/secrets/reporting') return `${FILE_SECRET}\n`;
    throw new Error('ENOENT: no such file');
  },
  adminClientId: 'admin',
};

const BILLING = { client_id: 'billing', client_name: 'Billing', grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic', scope: 'system/Patient.rs', client_secret_env: 'BILLING_SECRET' };
const REPORTING = { client_id: 'reporting', grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_post', scope: 'system/Observation.rs', client_secret_file: '/run/secrets/reporting' };
const HASHED = { client_id: 'hashed', grant_types: ['client_credentials'], scope: 'system/Patient.rs', client_secret_sha256: sha256Hex('a-hashed-secret-0123').toUpperCase() };
const APP = { client_id: 'chart-app', client_name: 'Chart', redirect_uris: ['https://chart.example.org/callback'], token_endpoint_auth_method: 'none', scope: 'launch openid fhirUser patient/*.rs' };
const BULK = { client_id: 'bulk', grant_types: ['client_credentials'], token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [key] }, scope: 'system/*.rs' };

const yaml = (clients: unknown[]) => stringify({ clients });

function problems(text: string, opts: ClientsFileOptions = options): string[] {
  try {
    parseClientsFile(text, PATH, opts);
  } catch (err: unknown) {
    assert.ok(err instanceof ClientsFileError, `expected a ClientsFileError, got ${String(err)}`);
    assert.match(err.message, /^invalid clients file \/etc\/smart-auth\/clients\/clients\.yaml:\n/);
    return err.problems;
  }
  assert.fail('expected the file to be refused');
}

describe('parseClientsFile: accepted files', () => {
  it('validates every entry like a registration and keeps only secret hashes', () => {
    const file = parseClientsFile(yaml([BILLING, REPORTING, HASHED, APP, BULK]), PATH, options);
    assert.deepEqual(file.clients.map((c) => c.clientId), ['billing', 'reporting', 'hashed', 'chart-app', 'bulk']);
    const [billing, reporting, hashed, app, bulk] = file.clients;
    assert.equal(billing!.clientSecretHash, sha256Hex(SECRET));
    assert.equal(reporting!.clientSecretHash, sha256Hex(FILE_SECRET), 'file secrets are trimmed like *_FILE settings');
    assert.equal(hashed!.clientSecretHash, sha256Hex('a-hashed-secret-0123'), 'hex digests are stored lower-case');
    assert.equal(app!.clientSecretHash, null);
    assert.equal(bulk!.clientSecretHash, null);
    // RFC 7591 §2 defaults, as /register applies them.
    assert.equal(hashed!.metadata.token_endpoint_auth_method, 'client_secret_basic');
    assert.deepEqual(app!.metadata.grant_types, ['authorization_code']);
    assert.deepEqual(app!.metadata.response_types, ['code']);
    assert.equal(billing!.metadata.client_name, 'Billing');
    for (const c of file.clients) {
      assert.deepEqual(Object.keys(c.metadata).filter((k) => k.startsWith('client_secret')), [], 'no secret source in the stored metadata');
      assert.equal((c.metadata as unknown as Record<string, unknown>).client_id, undefined);
    }
    assert.match(file.digest, /^[0-9a-f]{64}$/);
  });

  it('accepts an empty list, and YAML written by hand with comments and flow style', () => {
    assert.deepEqual(parseClientsFile('clients: []\n', PATH, options).clients, []);
    const text = `# managed in Git\nclients:\n  - client_id: chart-app   # the chart viewer\n    redirect_uris: [https://chart.example.org/callback]\n    token_endpoint_auth_method: none\n`;
    assert.equal(parseClientsFile(text, PATH, options).clients[0]!.metadata.redirect_uris[0], 'https://chart.example.org/callback');
  });

  it('checks secret references without reading them when asked to (checking a file before deploying)', () => {
    const file = parseClientsFile(yaml([{ ...BILLING, client_secret_env: 'NOT_SET_HERE' }, { ...REPORTING, client_secret_file: '/not/mounted/here' }]), PATH, { env: {}, resolveSecrets: false });
    assert.deepEqual(file.clients.map((c) => c.clientSecretHash), [null, null]);
  });

  it('changes its digest when the file or a secret it refers to changes, not otherwise', () => {
    const text = yaml([BILLING]);
    const digest = parseClientsFile(text, PATH, options).digest;
    assert.equal(parseClientsFile(text, PATH, options).digest, digest);
    assert.notEqual(parseClientsFile(yaml([{ ...BILLING, client_name: 'Billing 2' }]), PATH, options).digest, digest);
    assert.notEqual(parseClientsFile(text, PATH, { ...options, env: { BILLING_SECRET: `${SECRET}-rotated` } }).digest, digest);
  });
});

describe('parseClientsFile: refused files, one problem per bad entry', () => {
  const cases: Array<{ name: string; text: string; problem: RegExp }> = [
    { name: 'an empty file', text: '\n# nothing\n', problem: /^\/etc\/smart-auth\/clients\/clients\.yaml: the file is empty; declare no clients with "clients: \[\]"$/ },
    { name: 'not YAML', text: 'clients: [\n', problem: /^\/etc\/smart-auth\/clients\/clients\.yaml:\d+: / },
    { name: 'a duplicated key', text: 'clients:\n  - client_id: a-client\n    client_id: b-client\n', problem: /clients\.yaml:3: Map keys must be unique/ },
    { name: 'a list at the top', text: yaml([APP]).replace(/^clients:\n/, ''), problem: /clients\.yaml:1: must be a mapping with a "clients" list/ },
    { name: 'clients not a list', text: 'clients:\n  client_id: chart-app\n', problem: /"clients" must be a list/ },
    { name: 'an unknown top-level key', text: `version: 2\n${yaml([APP])}`, problem: /clients\.yaml:1: unknown key "version" \(only "clients"\)/ },
    { name: 'an entry that is not a mapping', text: 'clients:\n  - chart-app\n', problem: /clients\.yaml:2: clients\[0\]: must be a mapping of client metadata/ },
    { name: 'no client_id', text: yaml([{ ...APP, client_id: undefined }]), problem: /clients\[0\]: client_id: required in a clients file/ },
    { name: 'a numeric client_id', text: yaml([{ ...APP, client_id: 12345 }]), problem: /clients\[0\]: client_id: must be a string/ },
    { name: 'a client_id /register would refuse', text: yaml([{ ...APP, client_id: 'a/b' }]), problem: /clients\[0\] \(client_id "a\/b"\): .*client_id/ },
    { name: 'the administrator client id', text: yaml([{ ...BILLING, client_id: 'admin' }]), problem: /\(client_id "admin"\): client_id: is the bootstrap administrator \(ADMIN_CLIENT_ID\)/ },
    { name: 'a client secret in the clear', text: yaml([{ ...BILLING, client_secret_env: undefined, client_secret: 'plain-text-secret-123' }]), problem: /\(client_id "billing"\): client_secret: a secret is never written in the file; use client_secret_env, client_secret_file or client_secret_sha256$/ },
    { name: 'a misspelt field', text: yaml([{ ...APP, redirect_uri: 'https://chart.example.org/callback' }]), problem: /\(client_id "chart-app"\): redirect_uri: unknown key/ },
    { name: 'a server-controlled field', text: yaml([{ ...APP, registration_access_token: 'x' }]), problem: /registration_access_token: unknown key/ },
    { name: 'a bad redirect URI', text: yaml([{ ...APP, redirect_uris: ['http://chart.example.org/callback'] }]), problem: /clients\.yaml:2: clients\[0\] \(client_id "chart-app"\): .*redirect_uris\[0\]/ },
    { name: 'a reserved scope', text: yaml([{ ...BILLING, scope: 'admin' }]), problem: /\(client_id "billing"\): scope "admin" cannot be registered/ },
    { name: 'an unknown scope', text: yaml([{ ...BILLING, scope: 'system/Patient.rs superpowers' }]), problem: /\(client_id "billing"\): .*scope/ },
    { name: 'an implicit grant', text: yaml([{ ...APP, grant_types: ['implicit'] }]), problem: /grant_types.*RFC 9700/ },
    { name: 'private_key_jwt without keys', text: yaml([{ ...BULK, jwks: undefined }]), problem: /\(client_id "bulk"\): .*jwks/ },
    { name: 'a symmetric client without a secret', text: yaml([{ ...BILLING, client_secret_env: undefined }]), problem: /client_secret_env: a client_secret_basic client needs exactly one of client_secret_env, client_secret_file, client_secret_sha256/ },
    { name: 'two secret sources', text: yaml([{ ...BILLING, client_secret_sha256: 'a'.repeat(64) }]), problem: /client_secret_sha256: a client_secret_basic client needs exactly one of/ },
    { name: 'a secret for a public client', text: yaml([{ ...APP, client_secret_env: 'BILLING_SECRET' }]), problem: /\(client_id "chart-app"\): client_secret_env: a none client has no client secret/ },
    { name: 'a secret for a private_key_jwt client', text: yaml([{ ...BULK, client_secret_sha256: 'a'.repeat(64) }]), problem: /client_secret_sha256: a private_key_jwt client has no client secret/ },
    { name: 'an unset environment variable', text: yaml([{ ...BILLING, client_secret_env: 'MISSING_SECRET' }]), problem: /client_secret_env: environment variable MISSING_SECRET is not set$/ },
    { name: 'a bad environment variable name', text: yaml([{ ...BILLING, client_secret_env: 'NOT-A-NAME' }]), problem: /client_secret_env: must be the name of an environment variable/ },
    { name: 'a short secret', text: yaml([{ ...BILLING, client_secret_env: 'SHORT_SECRET' }]), problem: /client_secret_env: the secret must be at least 16 characters$/ },
    { name: 'an unreadable secret file', text: yaml([{ ...REPORTING, client_secret_file: '/run/secrets/missing' }]), problem: /client_secret_file: cannot read \/run\/secrets\/missing: ENOENT/ },
    { name: 'a relative secret file', text: yaml([{ ...REPORTING, client_secret_file: 'secrets/reporting' }]), problem: /client_secret_file: must be an absolute path/ },
    { name: 'a malformed hash', text: yaml([{ ...HASHED, client_secret_sha256: 'abc' }]), problem: /client_secret_sha256: must be 64 hexadecimal digits/ },
    { name: 'a secret source that is not a string', text: yaml([{ ...BILLING, client_secret_env: 42 }]), problem: /client_secret_env: must be a non-empty string/ },
  ];
  for (const { name, text, problem } of cases) {
    it(name, () => {
      const found = problems(text);
      assert.equal(found.length, 1, found.join('\n'));
      assert.match(found[0]!, problem);
      assert.ok(!found[0]!.includes(SECRET), 'never shows a secret');
    });
  }

  it('reports every bad entry at once, each with its line, index and client_id', () => {
    const text = yaml([APP, { ...BILLING, client_secret_env: 'MISSING_SECRET' }, REPORTING, { ...APP, redirect_uris: ['https://chart.example.org/cb#frag'] }, { ...REPORTING }]);
    const found = problems(text);
    assert.equal(found.length, 3, found.join('\n'));
    assert.match(found[0]!, /^\/etc\/smart-auth\/clients\/clients\.yaml:\d+: clients\[1\] \(client_id "billing"\): client_secret_env/);
    assert.match(found[1]!, /clients\[3\] \(client_id "chart-app"\): .*redirect_uris\[0\]/);
    assert.match(found[2]!, /clients\[4\] \(client_id "reporting"\): client_id is declared twice \(first at clients\[2\]\)/);
    const lines = found.map((p) => Number(/clients\.yaml:(\d+):/.exec(p)![1]));
    assert.deepEqual(lines, [...lines].sort((a, b) => a - b));
    assert.ok(new Set(lines).size === 3);
    assert.equal(text.split('\n')[lines[0]! - 1]!.trim().startsWith('- '), true, 'the line is where the entry starts');
  });

  it('a secret pasted into a field never appears in the message', () => {
    const found = problems(yaml([{ ...BILLING, client_secret_env: SECRET }]));
    assert.match(found[0]!, /client_secret_env: must be the name of an environment variable$/);
  });
});
