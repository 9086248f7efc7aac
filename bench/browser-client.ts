/**
 * A browser's part of the whole flows, over node:http keep-alive connections
 * (fetch costs the load generator several times as much per request, and it
 * shares the machine's two cores with the suite): a cookie jar for one host,
 * redirects followed by hand, the pages' forms read and posted back as a
 * browser sends them, with their CSRF field.
 */
import { Agent, request } from 'node:http';

export interface Answer {
  status: number;
  location?: string;
  retryAfter?: string;
  text: string;
}

/** An HTTP/1.1 answer read whole. */
export function send(agent: Agent, url: URL, method: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent, headers: body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          text: Buffer.concat(chunks).toString('utf8'),
          ...(res.headers.location ? { location: res.headers.location } : {}),
          ...(res.headers['retry-after'] ? { retryAfter: String(res.headers['retry-after']) } : {}),
          ...(res.headers['set-cookie'] ? { cookies: res.headers['set-cookie'] } : {}),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const unescapeHtml = (v: string) => v.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** One person's browser: its cookies (name, value, path) and the pages it answered. */
export class Browser {
  private readonly cookies = new Map<string, { value: string; path: string }>();
  /** Pages shown (200 HTML) and requests answered 503 and sent again, since made. */
  pages = 0;
  retries = 0;

  constructor(
    private readonly base: URL,
    private readonly agent: Agent,
  ) {}

  clone(): Browser {
    const copy = new Browser(this.base, this.agent);
    for (const [k, v] of this.cookies) copy.cookies.set(k, { ...v });
    return copy;
  }

  private cookieHeader(path: string): string {
    return [...this.cookies.entries()]
      .filter(([, c]) => path === c.path || path.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
      .map(([key, c]) => `${key.split('|')[0]}=${c.value}`)
      .join('; ');
  }

  private absorb(lines: string[] | undefined): void {
    for (const line of lines ?? []) {
      const [pair, ...attributes] = line.split(';').map((p) => p.trim());
      const eq = pair!.indexOf('=');
      if (eq <= 0) continue;
      const path = attributes.find((a) => a.toLowerCase().startsWith('path='))?.slice(5) ?? '/';
      const key = `${pair!.slice(0, eq)}|${path}`;
      const value = pair!.slice(eq + 1);
      if (value === '' || attributes.some((a) => a.toLowerCase() === 'max-age=0')) this.cookies.delete(key);
      else this.cookies.set(key, { value, path });
    }
  }

  /**
   * A request as a browser sends it; a 503 with Retry-After (admission
   * control refusing a burst of sign-ins) is sent again after a short pause,
   * as a person presses again, for up to 30 seconds.
   */
  async go(method: 'GET' | 'POST', pathOrUrl: string, form?: Array<[string, string]>): Promise<Answer> {
    const url = new URL(pathOrUrl, this.base);
    const body = form ? new URLSearchParams(form).toString() : undefined;
    const giveUp = Date.now() + 30_000;
    for (;;) {
      const headers: Record<string, string> = { accept: 'text/html' };
      const cookie = this.cookieHeader(url.pathname);
      if (cookie) headers.cookie = cookie;
      if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
      const answer = (await send(this.agent, url, method, headers, body)) as Answer & { cookies?: string[] };
      this.absorb(answer.cookies);
      if (answer.status !== 503 || !answer.retryAfter || Date.now() > giveUp) return answer;
      this.retries++;
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 100));
    }
  }

  /**
   * From a redirect or page on, follows every redirect on this host and
   * answers every page (sign-in, consent) until the browser is sent to
   * another origin: that URL (the app's redirect URI with the code).
   */
  async complete(first: Answer, person: { username: string; password: string }): Promise<URL> {
    let answer = first;
    for (let step = 0; step < 12; step++) {
      if (answer.status === 302 || answer.status === 303) {
        const target = new URL(answer.location!, this.base);
        if (target.origin !== this.base.origin) return target;
        answer = await this.go('GET', target.href);
        continue;
      }
      if (answer.status !== 200) throw new Error(`a page answered ${answer.status}${answer.retryAfter ? ` (Retry-After ${answer.retryAfter})` : ''}: ${answer.text.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').slice(0, 200)}`);
      this.pages++;
      const action = /<form[^>]*action="([^"]*)"/.exec(answer.text)?.[1];
      const csrf = /name="csrf" value="([^"]*)"/.exec(answer.text)?.[1];
      if (!action || csrf === undefined) throw new Error(`a page without a form: ${answer.text.slice(0, 200)}`);
      const fields: Array<[string, string]> = [['csrf', unescapeHtml(csrf)]];
      if (action.endsWith('/login')) fields.push(['username', person.username], ['password', person.password]);
      else if (action.endsWith('/consent')) {
        for (const m of answer.text.matchAll(/name="scope" value="([^"]*)"/g)) fields.push(['scope', unescapeHtml(m[1]!)]);
        fields.push(['decision', 'approve']);
      } else throw new Error(`an unexpected page (form action ${action})`);
      answer = await this.go('POST', unescapeHtml(action), fields);
    }
    throw new Error('the flow did not end');
  }
}
