import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buttons, login, renderer, tags } from './page-fixtures.js';

describe('PageRenderer: login', () => {
  describe('login', () => {
    it('posts csrf, username and password with "Sign in"', () => {
      const html = renderer.login(login());
      assert.deepEqual(tags(html, 'form'), [{ class: 'form', method: 'post', action: '/interaction/abc/login' }]);
      assert.deepEqual(tags(html, 'input').map((i) => [i.name, i.type, i.autocomplete]), [
        ['csrf', 'hidden', undefined],
        ['username', 'text', 'username'],
        ['password', 'password', 'current-password'],
      ]);
      assert.equal(tags(html, 'input')[0]!.value, 'csrf-token');
      assert.deepEqual(buttons(html), [{ name: undefined, value: undefined, text: 'Sign in' }]);
      assert.doesNotMatch(html, /role="alert"/);
    });

    it('pre-fills the username and announces the error', () => {
      const html = renderer.login(login({ username: 'ada', error: 'Wrong username or password.' }));
      assert.match(html, /<p class="alert alert-error" role="alert" id="login-error">Wrong username or password\.<\/p>/);
      const [, username, password] = tags(html, 'input');
      assert.equal(username!.value, 'ada');
      assert.equal(username!['aria-describedby'], 'login-error');
      assert.equal(password!.autofocus, '');
      assert.equal(password!.value, undefined);
    });
  });
});
