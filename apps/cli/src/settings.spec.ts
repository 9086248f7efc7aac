import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resolveSettings } from './settings.js';
import { UsageError } from './usage-error.js';

const files: Record<string, string> = { '/run/secret': 's3cret\n', '/run/empty': '\n', '/run/crlf': 'abc\r\n' };
const read = (path: string): string => {
  if (path in files) return files[path]!;
  throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
};

describe('resolveSettings: flags, then environment, then defaults', () => {
  const cases: Array<[string, Parameters<typeof resolveSettings>[0], NodeJS.ProcessEnv, ReturnType<typeof resolveSettings>]> = [
    ['nothing given', {}, {}, { issuer: 'http://localhost:8080' }],
    ['the environment', {}, { SMART_AUTH_ISSUER: 'https://auth.example/', SMART_AUTH_CLIENT_ID: 'admin', SMART_AUTH_CLIENT_SECRET: 'x' }, { issuer: 'https://auth.example', clientId: 'admin', clientSecret: 'x' }],
    ['flags over the environment', { issuer: 'https://a.example/base/', 'client-id': 'f', 'client-secret': 'fs' }, { SMART_AUTH_ISSUER: 'https://b.example', SMART_AUTH_CLIENT_ID: 'e', SMART_AUTH_CLIENT_SECRET: 'es' }, { issuer: 'https://a.example/base', clientId: 'f', clientSecret: 'fs' }],
    ['a secret file flag over the secret variable', { 'client-secret-file': '/run/secret' }, { SMART_AUTH_CLIENT_SECRET: 'env' }, { issuer: 'http://localhost:8080', clientSecret: 's3cret' }],
    ['the secret variable over the file variable', {}, { SMART_AUTH_CLIENT_SECRET: 'env', SMART_AUTH_CLIENT_SECRET_FILE: '/run/secret' }, { issuer: 'http://localhost:8080', clientSecret: 'env' }],
    ['the file variable', {}, { SMART_AUTH_CLIENT_SECRET_FILE: '/run/crlf' }, { issuer: 'http://localhost:8080', clientSecret: 'abc' }],
    ['empty variables as unset', {}, { SMART_AUTH_ISSUER: '', SMART_AUTH_CLIENT_ID: '' }, { issuer: 'http://localhost:8080' }],
  ];
  for (const [name, flags, env, expected] of cases) it(name, () => assert.deepEqual(resolveSettings(flags, env, read), expected));

  const refused: Array<[string, Parameters<typeof resolveSettings>[0], NodeJS.ProcessEnv, RegExp]> = [
    ['an issuer that is not a URL', { issuer: 'localhost' }, {}, /must be a URL/],
    ['an issuer with another scheme', { issuer: 'ftp://x.example' }, {}, /http\(s\)/],
    ['an issuer with a query', { issuer: 'https://x.example/?a=1' }, {}, /without query/],
    ['both secret flags', { 'client-secret': 'a', 'client-secret-file': '/run/secret' }, {}, /not both/],
    ['a missing secret file', { 'client-secret-file': '/nope' }, {}, /cannot be read: ENOENT/],
    ['an empty secret file', {}, { SMART_AUTH_CLIENT_SECRET_FILE: '/run/empty' }, /is empty/],
  ];
  for (const [name, flags, env, message] of refused) {
    it(`refuses ${name}`, () => assert.throws(() => resolveSettings(flags, env, read), (err: unknown) => err instanceof UsageError && message.test(err.message)));
  }
});
