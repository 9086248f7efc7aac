import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { tokenView } from './perform.commands.js';

describe('token responses as printed', () => {
  const response = { access_token: 'eyJhbGciOiJFUzI1NiJ9.a.b', refresh_token: 'r'.repeat(43), id_token: 'eyJhbGciOiJSUzI1NiJ9.c.d', token_type: 'Bearer', patient: 'p1' };

  it('masks every token and keeps the rest', () => {
    assert.deepEqual(tokenView(response, false), {
      access_token: 'eyJhbG…(24 chars)',
      refresh_token: 'rrrrrr…(43 chars)',
      id_token: 'eyJhbG…(24 chars)',
      token_type: 'Bearer',
      patient: 'p1',
    });
  });

  it('shows them when asked, and leaves the response itself alone', () => {
    assert.deepEqual(tokenView(response, true), response);
    tokenView(response, false);
    assert.equal(response.access_token, 'eyJhbGciOiJFUzI1NiJ9.a.b');
  });
});
