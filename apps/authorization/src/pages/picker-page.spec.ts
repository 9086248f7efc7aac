import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buttons, picker, renderer, tags } from './page-fixtures.js';

describe('PageRenderer: patient picker', () => {
  describe('patient picker', () => {
    it('posts csrf and a required radio group "patient", nothing preselected, with "Continue"', () => {
      const html = renderer.picker(picker());
      assert.equal(tags(html, 'form')[0]!.action, '/interaction/abc/patient');
      assert.match(html, /<fieldset class="choices">\n<legend>Patient<\/legend>/);
      const radios = tags(html, 'input').filter((i) => i.type === 'radio');
      assert.deepEqual(radios.map((r) => [r.name, r.value]), [['patient', 'p1'], ['patient', 'p2'], ['patient', 'p3']]);
      assert.ok(radios.every((r) => 'required' in r && !('checked' in r)));
      assert.deepEqual(buttons(html), [{ name: undefined, value: undefined, text: 'Continue' }]);
    });

    it('shows names and birth dates', () => {
      const html = renderer.picker(picker());
      assert.match(html, /Amy Shaw<\/span>\n<span class="choice-detail">Born <time datetime="1987-02-20">20 February 1987<\/time><\/span>/);
      assert.match(html, /<time datetime="1990-07">July 1990<\/time>/);
      assert.match(html, /Bo Chen<\/span>\n<\/label>/);
      assert.match(html, /Dr\. Ada Lovelace/);
    });

    it('says so when there is no patient to choose', () => {
      const html = renderer.picker(picker({ patients: [] }));
      assert.equal(tags(html, 'form').length, 0);
      assert.match(html, /role="status">There are no patients you can choose\./);
    });
  });
});
