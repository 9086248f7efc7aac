import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FORWARDED_WEB_PATHS, WebRoutes, WebRouteTable } from './web-routes.js';

describe('the web surface (WebRoutes)', () => {
  const edge = WebRouteTable.of(false);
  const router = WebRouteTable.of(true, (route) => route.forwarded === true);

  // [path, route at the edge (any segment), route at the authorization service's router (parameters checked)]
  const cases: Array<[string, string | undefined, string | undefined]> = [
    ['/token', 'token', undefined],
    ['/par', 'par', undefined],
    ['/register/abc', 'registeredClient', undefined],
    ['/authorize', 'authorize', 'authorize'],
    ['/interaction/abcdefghijklmnop', 'interaction', 'interaction'],
    ['/interaction/abcdefghijklmnop/login', 'interactionLogin', 'interactionLogin'],
    ['/interaction/abcdefghijklmnop/consent', 'interactionStep', 'interactionStep'],
    // Known at the edge (forwarded), unknown to the router: 404 not_found from the service.
    ['/interaction/abcdefghijklmnop/other', 'interactionStep', undefined],
    ['/interaction/a!b', 'interaction', undefined],
    ['/assets/suite.css', 'asset', 'asset'],
    ['/assets/other.css', 'asset', undefined],
    ['/admin/clients/app-1/revoke-all', 'adminClientRevokeAll', 'adminClientRevokeAll'],
    ['/admin/clients/app-1', 'adminClient', undefined],
    ['/admin/clients/app-1/disable', 'adminClientDisable', undefined],
    ['/admin/apps', 'adminApps', 'adminApps'],
    ['/admin/apps/new', 'adminAppNew', 'adminAppNew'],
    ['/admin/apps/app-1', 'adminApp', 'adminApp'],
    ['/admin/apps/app-1/edit', 'adminAppEdit', 'adminAppEdit'],
    ['/admin/apps/app-1/rotate-secret', 'adminAppAction', 'adminAppAction'],
    ['/admin/apps/app-1/other', 'adminAppAction', undefined],
    ['/admin/apps/a!b', 'adminApp', undefined],
    ['/interaction/a/b/c', undefined, undefined],
    ['/unknown', undefined, undefined],
  ];
  for (const [path, atEdge, atRouter] of cases) {
    it(`${path}: ${atEdge ?? 'unknown'} at the edge, ${atRouter ?? 'unknown'} at the router`, () => {
      assert.equal(edge.match(path)?.name, atEdge);
      assert.equal(router.match(path)?.name, atRouter);
    });
  }

  it('hands the parameters of the path to the router', () => {
    assert.deepEqual(router.match('/interaction/abcdefghijklmnop/patient')?.params, { id: 'abcdefghijklmnop', step: 'patient' });
  });

  it('pages are never CORS (RFC 9700 §2.6) and never cached', () => {
    for (const route of Object.values(WebRoutes)) if (route.kind === 'page') assert.deepEqual([route.cors, route.cache], [false, 'no-store'], route.path);
  });

  it('forwards the pages and the authorization service APIs, nothing of the other services', () => {
    assert.ok(FORWARDED_WEB_PATHS.includes('/authorize'));
    assert.ok(FORWARDED_WEB_PATHS.includes('/userinfo'));
    assert.ok(!FORWARDED_WEB_PATHS.includes('/token'));
    assert.ok(!FORWARDED_WEB_PATHS.includes('/admin/clients/:clientId'));
  });
});
