import { createServer, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CommandFailure } from './command-failure.js';
import { UsageError } from './usage-error.js';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title: string, text: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p></body></html>`;
}

/**
 * The redirect URI of a native app on loopback (RFC 8252 §7.3):
 * `http://127.0.0.1:<port>/callback`, answering the first visit to it with a
 * small page and handing the full URL (code, state, iss or error) over.
 */
export class LoopbackCallback {
  private received?: (url: URL) => void;
  private readonly arrival: Promise<URL>;

  private constructor(private readonly server: Server) {
    this.arrival = new Promise<URL>((resolve) => (this.received = resolve));
    server.on('request', (req, res) => this.answer(req, res));
  }

  /** Listens on 127.0.0.1:`port` (0: any free port). */
  static async listen(port: number): Promise<LoopbackCallback> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => reject(new UsageError(`cannot listen on 127.0.0.1:${port}: ${err.code ?? err.message}`)));
      server.listen(port, '127.0.0.1', () => resolve());
    });
    return new LoopbackCallback(server);
  }

  get redirectUri(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/callback`;
  }

  /** The callback URL the browser was sent to, or a `timeout` failure after `ms`. */
  wait(ms: number): Promise<URL> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new CommandFailure('timeout', `no redirect to ${this.redirectUri} within ${Math.round(ms / 1000)} s`)), ms);
    });
    return Promise.race([this.arrival, timeout]).finally(() => clearTimeout(timer));
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private answer(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', this.redirectUri);
    const headers = { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'content-security-policy': "default-src 'none'", 'referrer-policy': 'no-referrer' };
    if (req.method !== 'GET' || url.pathname !== '/callback') {
      res.writeHead(404, headers).end(page('Not found', 'This is the smart-auth command line tool waiting for an authorization response.'));
      return;
    }
    const error = url.searchParams.get('error');
    const body = error
      ? page('Authorization failed', `${error}${url.searchParams.get('error_description') ? `: ${url.searchParams.get('error_description')}` : ''}. You can close this window.`)
      : page('Signed in', 'You can close this window and return to the terminal.');
    res.writeHead(200, headers).end(body);
    this.received?.(url);
  }
}
