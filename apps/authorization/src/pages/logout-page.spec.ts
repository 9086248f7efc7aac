import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buttons, logout, renderer, signedOut, tags } from './page-fixtures.js';

describe('PageRenderer: logout and signed out', () => {
  describe('logout', () => {
    it('posts csrf and the hidden fields with "Sign out"', () => {
      const html = renderer.logout(logout({ hidden: { state: 'xyz', csrf: 'smuggled', client_id: 'growth-chart' } }));
      assert.equal(tags(html, 'form')[0]!.action, '/logout/confirm');
      assert.deepEqual(
        tags(html, 'input').map((i) => [i.type, i.name, i.value]),
        [
          ['hidden', 'csrf', 'csrf-token'],
          ['hidden', 'state', 'xyz'],
          ['hidden', 'client_id', 'growth-chart'],
        ],
      );
      assert.deepEqual(buttons(html), [{ name: undefined, value: undefined, text: 'Sign out' }]);
    });
  });

  describe('signed out', () => {
    it('shows the message as a status', () => {
      assert.match(renderer.signedOut(signedOut()), /<p class="alert alert-success" role="status">You are signed out\.<\/p>/);
    });
  });
});
