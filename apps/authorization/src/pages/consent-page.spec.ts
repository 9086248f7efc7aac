import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buttons, consent, renderer, tags } from './page-fixtures.js';

describe('PageRenderer: consent', () => {
  describe('consent', () => {
    it('posts csrf, the scopes and a decision', () => {
      const html = renderer.consent(consent());
      assert.equal(tags(html, 'form')[0]!.action, '/interaction/abc/consent');
      assert.deepEqual(buttons(html), [
        { name: 'decision', value: 'approve', text: 'Allow' },
        { name: 'decision', value: 'deny', text: 'Deny' },
      ]);
      assert.match(html, /to the record of <strong>Amy Shaw<\/strong>/);
      assert.match(html, /<fieldset class="choices">\n<legend>/);
    });

    it('submits mandatory scopes through a hidden input next to a checked, disabled checkbox', () => {
      const html = renderer.consent(consent());
      const inputs = tags(html, 'input').filter((i) => i.name === 'scope');
      const hidden = inputs.filter((i) => i.type === 'hidden').map((i) => i.value);
      assert.deepEqual(hidden, ['openid', 'launch/patient']);
      for (const scope of ['openid', 'launch/patient']) {
        const box = inputs.find((i) => i.type === 'checkbox' && i.value === scope)!;
        assert.ok('checked' in box && 'disabled' in box, scope);
        assert.match(box['aria-describedby']!, /required-note/);
      }
      assert.match(html, /<p class="hint" id="required-note">/);
      assert.equal(html.match(/<span class="badge">Required<\/span>/g)?.length, 2);
    });

    it('lets the other scopes be unticked', () => {
      const html = renderer.consent(consent());
      const boxes = tags(html, 'input').filter((i) => i.name === 'scope' && i.value === 'patient/Observation.rs');
      assert.equal(boxes.length, 1);
      assert.equal(boxes[0]!.type, 'checkbox');
      assert.ok('checked' in boxes[0]! && !('disabled' in boxes[0]!));
      assert.match(html, /Read your observations<\/span><\/label>/);
      assert.match(html, /<p>Allowed: read and search\.<\/p>/);
    });

    it('has no required note when nothing is mandatory', () => {
      const html = renderer.consent(consent({ scopes: [{ scope: 'profile', title: 'See your profile', mandatory: false }] }));
      assert.doesNotMatch(html, /required-note/);
      assert.equal(tags(html, 'input').filter((i) => i.type === 'hidden').length, 1); // csrf only
    });
  });
});
