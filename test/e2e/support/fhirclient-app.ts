import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

/** What the app page reports once FHIR.oauth2.ready() settled. */
export interface ReadyOutcome {
  error?: string;
  clientId?: string;
  patientId?: string | null;
  tokenResponse?: Record<string, unknown>;
}

/**
 * A SMART app as real ones are built: static pages on loopback using SMART's
 * JavaScript client (npm `fhirclient`, its browser bundle from node_modules).
 * `/standalone.html` starts a standalone launch, `/launch.html` (the
 * registered `launch_uri`) an EHR launch with the `iss` and `launch` the EHR
 * opened it with, and `/app.html` (the redirect URI) calls FHIR.oauth2.ready().
 */
export class FhirclientApp {
  /** Set once the app is registered: the client id its pages use. */
  clientId = '';

  private constructor(
    private readonly server: Server,
    readonly origin: string,
  ) {}

  static async start(fhirBaseUrl: string, scopes: { standalone: string; ehr: string }): Promise<FhirclientApp> {
    const bundle = readFileSync(createRequire(import.meta.url).resolve('fhirclient/build/fhir-client.js'));
    const page = (script: string) => `<!doctype html><meta charset="utf-8"><title>fhirclient test app</title><script src="/fhir-client.js"></script><script>${script}</script>`;
    const authorize = (options: Record<string, string>) =>
      page(`FHIR.oauth2.authorize(${JSON.stringify(options)}).catch(function (e) { window.fhirOutcome = { error: String(e) }; });`);
    const server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://app').pathname;
      const html = (body: string) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(body);
      if (path === '/fhir-client.js') return res.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
      // Standalone: the app knows its FHIR server.
      if (path === '/standalone.html') return html(authorize({ iss: fhirBaseUrl, clientId: app.clientId, scope: scopes.standalone, redirectUri: 'app.html' }));
      // EHR launch (the registered launch_uri): fhirclient reads iss and launch from the URL the EHR opened.
      if (path === '/launch.html') return html(authorize({ clientId: app.clientId, scope: scopes.ehr, redirectUri: 'app.html' }));
      if (path === '/app.html') {
        return html(
          page(
            'FHIR.oauth2.ready().then(function (client) {' +
              ' window.smartClient = client;' +
              ' window.fhirOutcome = { clientId: client.state.clientId, patientId: client.getPatientId(), tokenResponse: client.state.tokenResponse };' +
              '}, function (e) { window.fhirOutcome = { error: String(e) }; });',
          ),
        );
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const app = new FhirclientApp(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return app;
  }

  /** Waits for FHIR.oauth2.ready() on the app page and returns what it reported. */
  async outcome(page: Page): Promise<ReadyOutcome> {
    await page.waitForURL((url) => url.origin === this.origin && url.pathname === '/app.html', { timeout: 15_000 });
    await page.waitForFunction('window.fhirOutcome !== undefined', undefined, { timeout: 15_000 });
    return (await page.evaluate('window.fhirOutcome')) as ReadyOutcome;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
