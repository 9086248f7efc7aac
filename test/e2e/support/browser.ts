import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium (never a downloaded browser). `.ci/run` installs it when missing. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Why browser tests cannot run here, or undefined when they can. On CI
 * (`E2E_REQUIRE_BROWSER=1`, set by .ci/run) a missing browser is a failure,
 * not a skip.
 */
export function browserUnavailable(): string | undefined {
  if (existsSync(CHROMIUM)) return undefined;
  if (process.env.E2E_REQUIRE_BROWSER === '1') throw new Error(`${CHROMIUM} is missing and E2E_REQUIRE_BROWSER=1`);
  return `no Chromium at ${CHROMIUM} (apt-get install chromium)`;
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // This machine's network is closed: keep Chromium from calling home.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/**
 * The test app's own web server on loopback: the browser really lands on
 * its redirect URI (Playwright routes do not see the later hops of a
 * redirect chain, so nothing is faked).
 */
export class TestApp {
  private constructor(
    private readonly server: Server,
    readonly origin: string,
  ) {}

  static async start(): Promise<TestApp> {
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('test app');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new TestApp(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  }

  get callback(): string {
    return `${this.origin}/callback`;
  }

  get postLogout(): string {
    return `${this.origin}/signed-out`;
  }

  /** Waits until the browser lands on the app and returns that URL. */
  async landed(page: Page): Promise<URL> {
    await page.waitForURL((url) => url.origin === this.origin, { timeout: 15_000 });
    return new URL(page.url());
  }

  isOn(page: Page): boolean {
    return page.url().startsWith(this.origin);
  }

  /**
   * After signing in: a remembered consent sends the browser straight to the
   * app, otherwise the consent page asks; waits for whichever comes (not for a
   * navigation that may still be under way) and allows when asked.
   */
  async allowIfAsked(page: Page): Promise<void> {
    const button = page.getByRole('button', { name: 'Allow' });
    await Promise.race([
      page.waitForURL((url) => url.origin === this.origin, { timeout: 15_000 }).catch(() => undefined),
      button.waitFor({ state: 'visible', timeout: 15_000 }).catch(() => undefined),
    ]);
    if (!this.isOn(page)) await button.click();
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** A fresh browser profile (no cookies). */
export function newContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext();
}

export async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.getByLabel(/username/i).fill(username);
  await page.getByLabel(/password/i).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

export async function pickPatient(page: Page, patientId: string): Promise<void> {
  await page.locator(`input[name="patient"][value="${patientId}"]`).check();
  await page.getByRole('button', { name: 'Continue' }).click();
}

/** Unticks the given scopes on the consent page, then allows. */
export async function allow(page: Page, untick: string[] = []): Promise<void> {
  for (const scope of untick) await page.locator(`input[type="checkbox"][name="scope"][value="${scope}"]`).uncheck();
  await page.getByRole('button', { name: 'Allow' }).click();
}

export async function deny(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Deny' }).click();
}
