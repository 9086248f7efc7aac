import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { client, everyPage, HOSTILE, hostileClient, login, QUOTED_SCOPE, renderer, tags } from './page-fixtures.js';

describe('PageRenderer: every page', () => {
  describe('every page', () => {
    it('is an English HTML5 document with a main landmark, the title and the stylesheets', () => {
      for (const [page, html] of everyPage()) {
        assert.match(html, /^<!doctype html>\n<html lang="en">/, page);
        assert.match(html, /<meta charset="utf-8">/, page);
        assert.equal(html.match(/<main\b/g)?.length, 1, page);
        assert.match(html, /<h1>[^<]+<\/h1>/, page);
        assert.deepEqual(
          tags(html, 'link').filter((l) => l.rel === 'stylesheet').map((l) => l.href),
          ['/assets/suite.css', '/assets/theme.css'],
          page,
        );
      }
    });

    it('has no script, no inline style and no third-party resource', () => {
      for (const [page, html] of [...everyPage(), ...everyPage({ client: hostileClient, text: HOSTILE, scope: QUOTED_SCOPE })]) {
        assert.doesNotMatch(html, /<script/i, page);
        assert.doesNotMatch(html, /<style/i, page);
        assert.doesNotMatch(html, /\sstyle=/i, page);
        for (const [, element, attributes] of html.matchAll(/<([a-z0-9]+)\b([^>]*)>/gi)) {
          for (const [, name] of attributes!.matchAll(/([a-zA-Z-]+)(?:="[^"]*")?/g)) {
            assert.ok(!/^(on|style$|srcdoc$)/i.test(name!), `${page}: <${element} ${name}>`);
          }
        }
        for (const element of ['img', 'link', 'iframe', 'object', 'embed', 'source']) {
          for (const attributes of tags(html, element)) {
            const url = attributes.src ?? attributes.href ?? '';
            assert.ok(url.startsWith('data:') || !/^[a-z][a-z0-9+.-]*:|^\/\//i.test(url), `${page}: ${element} ${url}`);
          }
        }
      }
    });

    it('escapes everything that comes from a view', () => {
      for (const [page, html] of everyPage({ client: hostileClient, text: HOSTILE, scope: QUOTED_SCOPE })) {
        assert.ok(!html.includes(HOSTILE), page);
        assert.ok(!html.includes(QUOTED_SCOPE), page);
        assert.ok(!html.includes('"><img'), page);
        if (page !== 'logout without client') assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'), page);
      }
    });

    it('binds a label to every visible input and closes what it opens', () => {
      for (const [page, html] of everyPage()) {
        for (const input of tags(html, 'input').filter((i) => i.type !== 'hidden')) {
          assert.ok(input.id, `${page}: input ${input.name} has an id`);
          assert.equal(tags(html, 'label').filter((l) => l.for === input.id).length, 1, `${page}: label for ${input.id}`);
        }
        const ids = [...html.matchAll(/\sid="([^"]*)"/g)].map(([, id]) => id);
        assert.equal(new Set(ids).size, ids.length, `${page}: unique ids`);
        for (const element of ['div', 'p', 'form', 'fieldset', 'label', 'main', 'span', 'button']) {
          const opened = html.match(new RegExp(`<${element}\\b`, 'g'))?.length ?? 0;
          const closed = html.match(new RegExp(`</${element}>`, 'g'))?.length ?? 0;
          assert.equal(opened, closed, `${page}: <${element}>`);
        }
      }
    });

    it('shows the client name and id on pages with a client', () => {
      for (const [page, html] of everyPage().filter(([page]) => !['error', 'signed out', 'logout without client', 'account'].includes(page))) {
        assert.match(html, /<p class="client-name">Growth Chart<\/p>/, page);
        assert.match(html, /<code>growth-chart<\/code>/, page);
      }
    });
  });

  describe('client logo', () => {
    const logos: Array<[string, string | undefined, boolean]> = [
      ['a PNG data URI', 'data:image/png;base64,iVBORw0KGgo=', true],
      ['an SVG data URI', 'data:image/svg+xml,%3Csvg%3E%3C/svg%3E', true],
      ['an https URL', 'https://cdn.example/logo.png', false],
      ['a protocol-relative URL', '//cdn.example/logo.png', false],
      ['an HTML data URI', 'data:text/html,<p>x</p>', false],
      ['a javascript: URL', 'javascript:alert(1)', false],
      ['no logo', undefined, false],
    ];
    for (const [name, logoDataUri, shown] of logos) {
      it(`${shown ? 'shows' : 'does not show'} ${name}`, () => {
        const html = renderer.login(login({ client: { ...client, logoDataUri } }));
        const images = tags(html, 'img');
        if (shown) {
          assert.equal(images.length, 1);
          assert.equal(images[0]!.src, logoDataUri!.replaceAll('<', '&lt;').replaceAll('>', '&gt;'));
          assert.equal(images[0]!.alt, '');
          assert.doesNotMatch(html, /client-monogram/);
        } else {
          assert.equal(images.length, 0);
          assert.match(html, /<span class="client-monogram client-monogram-\d" aria-hidden="true">G<\/span>/);
        }
      });
    }

    it('makes the monogram from the first letter of the name', () => {
      const html = renderer.login(login({ client: { clientId: 'x', name: 'élan vital' } }));
      assert.match(html, /aria-hidden="true">É<\/span>/);
    });
  });
});
