import { PageRenderer } from './page-renderer.js';
import type { ClientView, ConsentView, ErrorView, LoginView, LogoutView, PickerView, SignedOutView } from './views.js';

/** Shared by the page specs (one per page): the renderer, views of every page and readers of the HTML they render. */

export const renderer = await PageRenderer.create();

export const HOSTILE = '<script>alert(1)</script>';
export const QUOTED_SCOPE = 'patient/Observation.rs?code="><img src=x onerror=alert(1)>';

export const frame = { stylesheets: ['/assets/suite.css', '/assets/theme.css'] };
export const client: ClientView = { clientId: 'growth-chart', name: 'Growth Chart', homepage: 'https://apps.example/growth' };
export const hostileClient: ClientView = { clientId: `id-${HOSTILE}`, name: HOSTILE, homepage: `javascript:${HOSTILE}` };

export const login = (over: Partial<LoginView> = {}): LoginView => ({
  ...frame,
  title: 'Sign in',
  action: '/interaction/abc/login',
  csrf: 'csrf-token',
  client,
  ...over,
});
export const picker = (over: Partial<PickerView> = {}): PickerView => ({
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
export const consent = (over: Partial<ConsentView> = {}): ConsentView => ({
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
export const error = (over: Partial<ErrorView> = {}): ErrorView => ({
  ...frame,
  title: 'Something went wrong',
  code: 'invalid_request',
  description: 'The redirect URI is not registered for this application.',
  ...over,
});
export const logout = (over: Partial<LogoutView> = {}): LogoutView => ({
  ...frame,
  title: 'Sign out',
  action: '/logout/confirm',
  csrf: 'csrf-token',
  hidden: { post_logout_redirect_uri: 'https://apps.example/bye', state: 'xyz', client_id: 'growth-chart' },
  client,
  ...over,
});
export const signedOut = (over: Partial<SignedOutView> = {}): SignedOutView => ({
  ...frame,
  title: 'Signed out',
  message: 'You are signed out.',
  ...over,
});

export type Attributes = Record<string, string>;

/** Start tags of one element, with their attributes (values are escaped, so never contain `"`). */
export function tags(html: string, name: string): Attributes[] {
  const found: Attributes[] = [];
  for (const [, body] of html.matchAll(new RegExp(`<${name}\\b([^>]*)>`, 'gi'))) {
    const attributes: Attributes = {};
    for (const [, key, value] of body!.matchAll(/([a-zA-Z-]+)(?:="([^"]*)")?/g)) attributes[key!.toLowerCase()] = value ?? '';
    found.push(attributes);
  }
  return found;
}

export function buttons(html: string): Array<{ name?: string; value?: string; text: string }> {
  return [...html.matchAll(/<button\b([^>]*)>([^<]*)<\/button>/g)].map(([, attrs, text]) => ({
    name: /name="([^"]*)"/.exec(attrs!)?.[1],
    value: /value="([^"]*)"/.exec(attrs!)?.[1],
    text: text!,
  }));
}

/** Every page, rendered with `over` (a hostile client, text and scope for the escaping checks). */
export const everyPage = (over: { client?: ClientView; text?: string; scope?: string } = {}): Array<[string, string]> => {
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
    [
      'launcher',
      renderer.launcher({ ...frame, title: t ?? 'Launch an app', userName: t ?? 'Dr. Lee', patientName: t ?? 'Amy Shaw', ...(t && { encounter: t, ticket: t, action: t }), action: t ?? '/launcher', ticket: t ?? 'tkt', apps: [c] }),
    ],
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
