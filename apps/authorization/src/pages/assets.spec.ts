import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PageRenderer } from './page-renderer.js';
import { renderer } from './page-fixtures.js';

describe('PageRenderer: assets', () => {
  describe('assets', () => {
    it('serves suite.css with the SMART style properties', () => {
      const css = PageRenderer.asset('suite.css');
      assert.equal(renderer.assets().get('suite.css'), css);
      for (const property of [
        '--smart-color-background',
        '--smart-color-text',
        '--smart-color-highlight',
        '--smart-color-error',
        '--smart-color-success',
        '--smart-color-modal-backdrop',
        '--smart-dim-border-radius',
        '--smart-dim-font-size',
        '--smart-dim-spacing-size',
        '--smart-font-family-body',
        '--smart-font-family-heading',
      ]) {
        assert.ok(css.includes(`${property}:`), property);
      }
      assert.doesNotMatch(css, /@import|url\(/);
    });
  });
});
