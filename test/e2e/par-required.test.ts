import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import * as oauth from 'oauth4webapi';
import { startSuite, type RunningSuite } from '#testing';
import { browse, CookieJar } from './support/form-flow.js';
import { call, register, type RegisteredClient } from './support/http.js';
import { assertAccepted, assertErrorPage, authorizationServer, push } from './support/par.js';

const CALLBACK = 'http://127.0.0.1:8765/callback';
const SCOPE = 'openid patient/*.rs';

const realInfrastructure = Boolean(process.env.NATS_URL && process.env.DATABASE_URL);

/**
 * A suite of its own: REQUIRE_PAR (RFC 9126 §5), a 2-second PAR_LIFETIME_SECONDS (so expiry is real) and a second
 * authorization replica (a push and the /authorize that follows may reach different replicas).
 */
describe('REQUIRE_PAR=true, PAR_LIFETIME_SECONDS=2, two authorization replicas', { skip: realInfrastructure ? false : 'needs NATS_URL and DATABASE_URL' }, () => {
  let suite: RunningSuite;
  let replica: ChildProcess | undefined;
  let as: oauth.AuthorizationServer;
  let app: RegisteredClient;

  before(async () => {
    suite = await startSuite({ env: { REQUIRE_PAR: 'true', PAR_LIFETIME_SECONDS: '2' } });
    replica = await suite.startService('authorization');
    await ready(suite, replica);
    as = await authorizationServer(suite);
    app = await register(suite, { client_name: 'Any App', redirect_uris: [CALLBACK], token_endpoint_auth_method: 'none', grant_types: ['authorization_code'], response_types: ['code'], scope: SCOPE });
  });
  after(async () => {
    replica?.kill('SIGTERM');
    await suite?.stop();
  });

  const pushFor = () => push(as, { client_id: app.client_id }, oauth.None(), { redirect_uri: CALLBACK, scope: SCOPE, aud: suite.fhirBaseUrl });

  it('every discovery document says pushing is required', async () => {
    for (const path of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server', '/.well-known/smart-configuration']) {
      assert.equal((await call(suite, path)).json.require_pushed_authorization_requests, true, path);
    }
  });

  it('a client that did not register the requirement still gets an error page without a push, and a flow with one', async () => {
    const plain = new URLSearchParams({ response_type: 'code', client_id: app.client_id, redirect_uri: CALLBACK, scope: SCOPE, aud: suite.fhirBaseUrl, code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' });
    assertErrorPage(await browse(suite, new CookieJar(), `/authorize?${plain}`), 400, 'invalid_request', 'without a push');
    const flow = await pushFor();
    assertAccepted(await browse(suite, new CookieJar(), `${flow.authorizeUrl.pathname}${flow.authorizeUrl.search}`), 'with a push');
  });

  it('any replica serves the /authorize that follows a push (the pushed request is in PostgreSQL)', async () => {
    // Each request goes to either replica of the queue group: in 12 rounds, pushes and /authorize meet on different
    // replicas all but surely (all on one: 2^-11), and every one must be accepted.
    for (let round = 1; round <= 12; round++) {
      const flow = await pushFor();
      assertAccepted(await browse(suite, new CookieJar(), `${flow.authorizeUrl.pathname}${flow.authorizeUrl.search}`), `round ${round}`);
    }
  });

  it('expires_in is the configured lifetime, and the request_uri is refused once it passed', async () => {
    const flow = await pushFor();
    assert.equal(flow.expiresIn, 2);
    await sleep(2_500);
    assertErrorPage(await browse(suite, new CookieJar(), `${flow.authorizeUrl.pathname}${flow.authorizeUrl.search}`), 400, 'invalid_request_uri', 'expired');
  });
});

/** Until a started replica is ready (its own management port: its database and broker, its queue group joined). */
async function ready(suite: RunningSuite, child: ChildProcess): Promise<void> {
  const url = `${suite.managementUrlOf(child)}/health/ready`;
  for (let i = 0; i < 120; i++) {
    const answer = await fetch(url).catch(() => undefined);
    if (answer?.status === 200) return;
    await sleep(250);
  }
  throw new Error('the second authorization replica did not become ready');
}
