import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { consent, frame, HOSTILE, renderer, tags } from './page-fixtures.js';

const app = { clientId: 'chart-app', name: 'Chart App', logoUri: 'https://apps.example/logo.png', links: [{ label: 'Terms of service', href: 'https://apps.example/terms' }] };

describe('PageRenderer: EHR launcher (issue #16)', () => {
  it('one form carrying the ticket; one Launch button per app, named after it, whose value is the client id', () => {
    const html = renderer.launcher({ ...frame, title: 'Launch an app', userName: 'Dr. Lee', patientName: 'Amy Shaw', encounter: 'e1', action: '/launcher', ticket: 'tkt', apps: [app, { clientId: 'b', name: 'Other' }] });
    const [form] = tags(html, 'form');
    assert.equal(form!.action, '/launcher');
    assert.equal(form!.method, 'post');
    assert.deepEqual(tags(html, 'input').map((i) => [i.type, i.name, i.value]), [['hidden', 'ticket', 'tkt']]);
    const launch = [...html.matchAll(/<button\b[^>]*name="client_id" value="([^"]*)"[^>]*>(.*?)<\/button>/g)].map(([, value, text]) => [value, text!.replace(/<[^>]+>/g, '')]);
    assert.deepEqual(launch, [
      ['chart-app', 'Launch Chart App'],
      ['b', 'Launch Other'],
    ]);
    assert.match(html, /<strong>Amy Shaw<\/strong> \(encounter <code>e1<\/code>\)/);
    const [logo] = tags(html, 'img');
    assert.equal(logo!.src, 'https://apps.example/logo.png');
    assert.equal(logo!.referrerpolicy, 'no-referrer');
    assert.deepEqual(tags(html, 'a').map((a) => [a.href, a.rel]), [['https://apps.example/terms', 'noopener noreferrer']]);
  });

  it('says so when no app can be launched, with no form', () => {
    const html = renderer.launcher({ ...frame, title: 'Launch an app', userName: 'Dr. Lee', patientName: 'Amy Shaw', action: '/launcher', ticket: 'tkt', apps: [] });
    assert.equal(tags(html, 'form').length, 0);
    assert.match(html, /No app is available for launching/);
  });

  it('shows only vetted links and logos: javascript: and plain-http links, http logos are dropped', () => {
    const html = renderer.launcher({
      ...frame,
      title: 'Launch an app',
      userName: HOSTILE,
      patientName: HOSTILE,
      action: '/launcher',
      ticket: 'tkt',
      apps: [{ clientId: 'x', name: HOSTILE, logoUri: 'http://apps.example/logo.png', links: [{ label: HOSTILE, href: `javascript:${HOSTILE}` }] }],
    });
    assert.doesNotMatch(html, /<script>/);
    assert.equal(tags(html, 'img').length, 0);
    assert.equal(tags(html, 'a').length, 0);
  });
});

describe('PageRenderer: consent shows the app’s logo and links when given', () => {
  it('logo (no referrer) and links to home page, terms and policy', () => {
    const links = [
      { label: 'Home page', href: 'https://apps.example/' },
      { label: 'Terms of service', href: 'https://apps.example/terms' },
      { label: 'Privacy policy', href: 'https://apps.example/privacy' },
    ];
    const html = renderer.consent(consent({ client: { clientId: 'c', name: 'Chart', homepage: 'https://apps.example/', logoUri: 'https://apps.example/logo.png', links } }));
    assert.deepEqual(tags(html, 'a').map((a) => a.href), links.map((l) => l.href));
    assert.equal(tags(html, 'img')[0]!.referrerpolicy, 'no-referrer');
    assert.doesNotMatch(html, /<p class="client-meta">https:\/\/apps.example\/<\/p>/, 'the home page once, as a link');
  });
});
