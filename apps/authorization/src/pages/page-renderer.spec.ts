import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PageRenderer } from './page-renderer.js';
import type { ClientView, ConsentView, ErrorView, LoginView, LogoutView, PickerView, SignedOutView } from './views.js';

const HOSTILE = '<script>alert(1)</script>';
const QUOTED_SCOPE = 'patient/Observation.rs?code="><img src=x onerror=alert(1)>';

const frame = { stylesheets: ['/assets/suite.css', '/assets/theme.css'] };
const client: ClientView = { clientId: 'growth-chart', name: 'Growth Chart', homepage: 'https://apps.example/growth' };
const hostileClient: ClientView = { clientId: `id-${HOSTILE}`, name: HOSTILE, homepage: `javascript:${HOSTILE}` };

const login = (over: Partial<LoginView> = {}): LoginView => ({
  ...frame,
  title: 'Sign in',
  action: '/interaction/abc/login',
  csrf: 'csrf-token',
  client,
  ...over,
});
const picker = (over: Partial<PickerView> = {}): PickerView => ({
  ...frame,
  title: 'Choose a patient',
  action: '/interaction/abc/patient',
  csrf: 'csrf-token',
  client,
  userName: 'Dr. Ada Lovelace',
  patients: [
    { id: 'p1', name: 'Amy Shaw', birthDate: '1987-02-20' },
    { id: 'p2', name: 'Bo Chen' },
    { id: 'p3', name: 'Cy Diaz', birthDate: '1990-07' },
  ],
  ...over,
});
const consent = (over: Partial<ConsentView> = {}): ConsentView => ({
  ...frame,
  title: 'Allow access?',
  action: '/interaction/abc/consent',
  csrf: 'csrf-token',
  client,
  userName: 'Amy Shaw',
  patientName: 'Amy Shaw',
  scopes: [
    { scope: 'openid', title: 'Confirm that you are signed in', mandatory: true },
    { scope: 'launch/patient', title: 'Know which patient record is open', detail: 'Which patient.', mandatory: true },
    { scope: 'patient/Observation.rs', title: 'Read your observations', detail: 'Allowed: read and search.', mandatory: false },
  ],
  ...over,
});
const error = (over: Partial<ErrorView> = {}): ErrorView => ({
  ...frame,
  title: 'Something went wrong',
  code: 'invalid_request',
  description: 'The redirect URI is not registered for this application.',
  ...over,
});
const logout = (over: Partial<LogoutView> = {}): LogoutView => ({
  ...frame,
  title: 'Sign out',
  action: '/logout/confirm',
  csrf: 'csrf-token',
  hidden: { post_logout_redirect_uri: 'https://apps.example/bye', state: 'xyz', client_id: 'growth-chart' },
  client,
  ...over,
});
const signedOut = (over: Partial<SignedOutView> = {}): SignedOutView => ({
  ...frame,
  title: 'Signed out',
  message: 'You are signed out.',
  ...over,
});

type Attributes = Record<string, string>;

/** Start tags of one element, with their attributes (values are escaped, so never contain `"`). */
function tags(html: string, name: string): Attributes[] {
  const found: Attributes[] = [];
  for (const [, body] of html.matchAll(new RegExp(`<${name}\\b([^>]*)>`, 'gi'))) {
    const attributes: Attributes = {};
    for (const [, key, value] of body!.matchAll(/([a-zA-Z-]+)(?:="([^"]*)")?/g)) attributes[key!.toLowerCase()] = value ?? '';
    found.push(attributes);
  }
  return found;
}

function buttons(html: string): Array<{ name?: string; value?: string; text: string }> {
  return [...html.matchAll(/<button\b([^>]*)>([^<]*)<\/button>/g)].map(([, attrs, text]) => ({
    name: /name="([^"]*)"/.exec(attrs!)?.[1],
    value: /value="([^"]*)"/.exec(attrs!)?.[1],
    text: text!,
  }));
}

describe('PageRenderer', () => {
  let renderer: PageRenderer;
  before(async () => {
    renderer = await PageRenderer.create();
  });

  const everyPage = (over: { client?: ClientView; text?: string; scope?: string } = {}): Array<[string, string]> => {
    const c = over.client ?? client;
    const t = over.text;
    return [
      ['login', renderer.login(login({ client: c, ...(t && { username: t, error: t, title: t, csrf: t, action: t }) }))],
      [
        'picker',
        renderer.picker(picker({ client: c, ...(t && { userName: t, error: t, patients: [{ id: t, name: t, birthDate: t }] }) })),
      ],
      [
        'consent',
        renderer.consent(
          consent({
            client: c,
            ...(t && { userName: t, patientName: t }),
            ...(over.scope && {
              scopes: [
                { scope: over.scope, title: over.scope, detail: over.scope, mandatory: true },
                { scope: over.scope, title: over.scope, detail: over.scope, mandatory: false },
              ],
            }),
          }),
        ),
      ],
      ['error', renderer.error(error(t ? { code: t, description: t, stylesheets: [t] } : {}))],
      ['logout', renderer.logout(logout({ client: c, ...(t && { hidden: { [t]: t } }) }))],
      ['logout without client', renderer.logout(logout({ client: undefined }))],
      ['signed out', renderer.signedOut(signedOut(t ? { message: t } : {}))],
      [
        'account',
        renderer.accountGrants({
          title: t ?? 'Your applications',
          stylesheets: ['/assets/suite.css', '/assets/theme.css'],
          userName: t ?? 'Pat',
          csrf: t ?? 'csrf-token',
          grants: [{ clientName: t ?? 'Growth Chart', access: [t ?? 'Read your demographics'], scope: over.scope ?? 'patient/Patient.rs', createdAt: '2026-01-01T10:00:00.000Z', revokeAction: '/account/grants/g1/revoke', ...(t ? { patient: t } : {}) }],
          signOutAction: '/account/logout',
        }),
      ],
    ];
  };

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

  describe('error', () => {
    it('announces the description and shows the code small', () => {
      const html = renderer.error(error());
      assert.match(html, /<p class="alert alert-error" role="alert">The redirect URI is not registered for this application\.<\/p>/);
      assert.match(html, /<code>invalid_request<\/code>/);
      assert.equal(tags(html, 'form').length, 0);
    });
  });

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
