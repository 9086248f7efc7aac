import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../usage-error.js';
import { registrationMetadata } from './clients.commands.js';

describe('clients create metadata', () => {
  it('takes the flags', () => {
    assert.deepEqual(registrationMetadata(undefined, { name: 'A', 'grant-type': ['client_credentials'], scope: 'system/*.rs' }), {
      client_name: 'A',
      grant_types: ['client_credentials'],
      scope: 'system/*.rs',
    });
  });

  it('lays the flags over the file', () => {
    assert.deepEqual(registrationMetadata('{"client_name":"File","redirect_uris":["https://a.example/cb"]}', { name: 'Flag' }), {
      client_name: 'Flag',
      redirect_uris: ['https://a.example/cb'],
    });
  });

  const refused: Array<[string, string | undefined, RegExp]> = [
    ['nothing at all', undefined, /give the client metadata/],
    ['a file that is not JSON', 'client_name: x', /not JSON/],
    ['a file holding an array', '[]', /JSON object/],
    ['a file holding null', 'null', /JSON object/],
    ['an empty object', '{}', /give the client metadata/],
  ];
  for (const [name, file, message] of refused) {
    it(`refuses ${name}`, () => assert.throws(() => registrationMetadata(file, {}), (err: unknown) => err instanceof UsageError && message.test(err.message)));
  }
});
