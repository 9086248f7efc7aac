import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { privateKeyPem, TestPki } from '#testing';
import { readUdapConfiguration } from './udap-configuration.js';

describe('UDAP settings (UDAP_TRUST_ANCHORS_FILE, UDAP_COMMUNITIES_FILE, UDAP_SERVER_CERT_FILE, UDAP_SERVER_KEY_FILE)', () => {
  const files = new Map<string, string>();
  const read = (path: string) => {
    const text = files.get(path);
    if (text === undefined) throw Object.assign(new Error('missing'), { code: 'ENOENT' });
    return text;
  };
  let payers: TestPki;
  let clinics: TestPki;
  const server = { UDAP_SERVER_CERT_FILE: 'server.pem', UDAP_SERVER_KEY_FILE: 'server.key' };

  before(async () => {
    payers = await TestPki.create({ name: 'Payers' });
    clinics = await TestPki.create({ name: 'Clinics' });
    const serverCert = await payers.issue({ uris: ['https://auth.example', 'https://auth.example/fhir'], kind: 'ec' });
    files.set('anchors.pem', `${payers.root.pem}\n${clinics.root.pem}`);
    files.set('server.pem', `${serverCert.pem}\n${payers.intermediate.pem}`);
    files.set('server.key', await privateKeyPem(serverCert));
    files.set('other.key', await privateKeyPem(payers.intermediate));
  });

  it('is off with no UDAP setting', () => {
    const problems: string[] = [];
    assert.equal(readUdapConfiguration({}, read, problems), null);
    assert.deepEqual(problems, []);
  });

  it('reads the anchors as communities that vouch for everything, and the server certificate (ES256 for an EC P-256 key)', () => {
    const problems: string[] = [];
    const udap = readUdapConfiguration({ UDAP_TRUST_ANCHORS_FILE: 'anchors.pem', ...server }, read, problems);
    assert.deepEqual(problems, []);
    assert.equal(udap?.communities.length, 2);
    assert.equal(udap?.communities[0]!.privileges, 'all');
    assert.equal(udap?.signer.alg, 'ES256');
    assert.deepEqual(udap?.signer.uris, ['https://auth.example', 'https://auth.example/fhir']);
  });

  it('narrows a community by its policy, naming its anchor by fingerprint in openssl form', () => {
    const colons = (hex: string) => hex.toUpperCase().match(/../g)!.join(':');
    const anchors = readUdapConfiguration({ UDAP_TRUST_ANCHORS_FILE: 'anchors.pem', ...server }, read, [])!.communities.map((c) => c.anchor.sha256);
    files.set('communities.yaml', `communities:\n  - uri: urn:example:payers\n    anchor: "${colons(anchors[0]!)}"\n    privileges: "system/*.rs"\n  - anchor: ${anchors[1]}\n    privileges: ""\n`);
    const problems: string[] = [];
    const udap = readUdapConfiguration({ UDAP_TRUST_ANCHORS_FILE: 'anchors.pem', UDAP_COMMUNITIES_FILE: 'communities.yaml', ...server }, read, problems);
    assert.deepEqual(problems, []);
    assert.deepEqual(udap?.communities.map((c) => [c.uri, c.privileges]), [['urn:example:payers', { scope: ['system/*.rs'], grant_types: [] }], [undefined, { scope: [], grant_types: [] }]]);
  });

  const mistakes: Array<[string, Record<string, string>, Record<string, string>, RegExp]> = [
    ['anchors without a server certificate', { UDAP_TRUST_ANCHORS_FILE: 'anchors.pem' }, {}, /UDAP_SERVER_CERT_FILE and UDAP_SERVER_KEY_FILE: both required/],
    ['a server certificate without anchors', server, {}, /UDAP_TRUST_ANCHORS_FILE: required/],
    ['an unreadable file', { UDAP_TRUST_ANCHORS_FILE: 'missing.pem', ...server }, {}, /cannot read missing\.pem: ENOENT/],
    ['a key that is not the certificate\'s', { UDAP_TRUST_ANCHORS_FILE: 'anchors.pem', UDAP_SERVER_CERT_FILE: 'server.pem', UDAP_SERVER_KEY_FILE: 'other.key' }, {}, /is not the key of the first certificate/],
    ['a communities file missing an anchor', { UDAP_TRUST_ANCHORS_FILE: 'anchors.pem', UDAP_COMMUNITIES_FILE: 'partial.yaml', ...server }, { 'partial.yaml': 'communities: []' }, /names no entry for the trust anchor/],
    ['a communities file that is not a list', { UDAP_TRUST_ANCHORS_FILE: 'anchors.pem', UDAP_COMMUNITIES_FILE: 'bad.yaml', ...server }, { 'bad.yaml': 'uri: x' }, /"communities" list/],
    ['an unknown anchor', { UDAP_TRUST_ANCHORS_FILE: 'anchors.pem', UDAP_COMMUNITIES_FILE: 'unknown.yaml', ...server }, { 'unknown.yaml': `communities:\n  - anchor: ${'ab'.repeat(32)}\n` }, /SHA-256 fingerprint of a certificate/],
  ];
  for (const [name, settings, extra, message] of mistakes) {
    it(`refuses to start with ${name}`, () => {
      for (const [path, text] of Object.entries(extra)) files.set(path, text);
      const problems: string[] = [];
      assert.equal(readUdapConfiguration(settings, read, problems), null);
      assert.match(problems.join('\n'), message);
      assert.ok(!problems.join('\n').includes('PRIVATE KEY'), 'never the key in a message');
    });
  }
});
