import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sha256Hex } from '#oauth';
import { readTrustConfiguration } from './trust-config.js';

const base = { REGISTRATION_AUTO_APPROVE: 'false' };

describe('readTrustConfiguration', () => {
  it('reads initial access tokens (kept as hashes) with their privileges, and trusted issuers', () => {
    const problems: string[] = [];
    const trust = readTrustConfiguration(
      {
        ...base,
        REGISTRATION_INITIAL_ACCESS_TOKEN: 'one-token-for-everything-0123',
        REGISTRATION_INITIAL_ACCESS_TOKENS: JSON.stringify([
          { token: 'bulk-only-token-0123456789', privileges: 'system/*.rs' },
          { token_sha256: 'a'.repeat(64), privileges: 'launch urn:ietf:params:oauth:grant-type:jwt-bearer' },
        ]),
        SOFTWARE_STATEMENT_ISSUERS: JSON.stringify({ 'https://store.example': { jwks_uri: 'https://store.example/jwks.json', privileges: 'system/*.rs' }, 'https://ehr.example': { jwks: { keys: [] } } }),
      },
      problems,
    );
    assert.deepEqual(problems, []);
    assert.deepEqual(
      trust.initialAccessTokens.map((t) => [t.sha256, t.privileges]),
      [
        [sha256Hex('one-token-for-everything-0123'), 'all'],
        [sha256Hex('bulk-only-token-0123456789'), { scope: ['system/*.rs'], grant_types: [] }],
        ['a'.repeat(64), { scope: ['launch'], grant_types: ['urn:ietf:params:oauth:grant-type:jwt-bearer'] }],
      ],
    );
    assert.equal(JSON.stringify(trust).includes('bulk-only-token'), false, 'no token in the clear');
    assert.deepEqual(trust.softwareStatementIssuers.map((i) => [i.issuer, i.jwksUri, i.privileges]), [
      ['https://store.example', 'https://store.example/jwks.json', { scope: ['system/*.rs'], grant_types: [] }],
      ['https://ehr.example', undefined, 'all'],
    ]);
    assert.equal(trust.autoApprove, false);
  });

  const bad: Array<[string, Record<string, string>, RegExp]> = [
    ['not JSON', { REGISTRATION_INITIAL_ACCESS_TOKENS: '[{' }, /REGISTRATION_INITIAL_ACCESS_TOKENS: not valid JSON/],
    ['not an array', { REGISTRATION_INITIAL_ACCESS_TOKENS: '{}' }, /must be a JSON array/],
    ['a short token', { REGISTRATION_INITIAL_ACCESS_TOKENS: '[{"token":"short"}]' }, /at least 16 characters/],
    ['both token forms', { REGISTRATION_INITIAL_ACCESS_TOKENS: `[{"token":"long-enough-token-0123","token_sha256":"${'b'.repeat(64)}"}]` }, /exactly one of/],
    ['a bad hash', { REGISTRATION_INITIAL_ACCESS_TOKENS: '[{"token_sha256":"xyz"}]' }, /64 lowercase hex/],
    ['a person-approved scope as a privilege', { REGISTRATION_INITIAL_ACCESS_TOKENS: '[{"token":"long-enough-token-0123","privileges":"patient/*.rs"}]' }, /not a privilege/],
    ['an issuer without keys', { SOFTWARE_STATEMENT_ISSUERS: '{"https://x.example":{}}' }, /exactly one of "jwks"/],
    ['an http jwks_uri', { SOFTWARE_STATEMENT_ISSUERS: '{"https://x.example":{"jwks_uri":"http://x.example/jwks"}}' }, /must be an https URL/],
  ];
  for (const [name, settings, message] of bad) {
    it(`refuses ${name}`, () => {
      const problems: string[] = [];
      readTrustConfiguration({ ...base, ...settings }, problems);
      assert.ok(problems.some((p) => message.test(p)), problems.join('\n'));
    });
  }
});
