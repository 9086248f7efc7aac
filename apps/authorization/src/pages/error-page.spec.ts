import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { error, renderer, tags } from './page-fixtures.js';

describe('PageRenderer: error', () => {
  describe('error', () => {
    it('announces the description and shows the code small', () => {
      const html = renderer.error(error());
      assert.match(html, /<p class="alert alert-error" role="alert">The redirect URI is not registered for this application\.<\/p>/);
      assert.match(html, /<code>invalid_request<\/code>/);
      assert.equal(tags(html, 'form').length, 0);
    });
  });
});
