/**
 * `BENCH_ONLY=flows npm run bench` (issue #20, "whole flows"): what people
 * do most, over HTTP exactly as a browser sends it (every redirect followed,
 * every page's form posted back with its CSRF field; no browser in the loop):
 *
 * (a) fresh sign-in: /authorize (prompt=consent) → sign-in page → password →
 *     consent page → code → /token;
 * (b) signed in, consent remembered: /authorize → code → /token;
 * (c) refresh with rotation: /token grant_type=refresh_token, each answer's
 *     refresh token used for the next;
 * (d) EHR launch: POST /launch (the EHR) → /authorize with the launch, signed
 *     in, consent remembered → code → /token with the patient.
 *
 * Each at 16 and 64 concurrent people (closed loop), flows per second with
 * p50/p99 of the whole flow, next to the raw rate of the password hash on
 * this machine (a fresh sign-in costs one hash; everything else should be
 * cheap beside it).
 */
import { Agent } from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import type { RunningSuite } from '#testing';
import { hashPassword } from '../apps/authorization/src/users/password-hasher.js';
import { Browser, send } from './browser-client.js';
import { cpuSnapshot, cpuUsedBetween, type CpuGroups } from './cpu-split.js';
import { percentile } from './percentile.js';

const CALLBACK = 'https://app.bench.example/cb';
/** Which flows to run (BENCH_FLOWS=b,c) and at how many people (BENCH_FLOW_PEOPLE=64): all four at 16 and 64 by default. */
const ONLY_FLOWS = new Set((process.env.BENCH_FLOWS ?? 'a,b,c,d').split(',').map((s) => s.trim()));
const FLOW_CONNECTIONS = (process.env.BENCH_FLOW_PEOPLE ?? '16,64').split(',').map(Number);

export interface FlowRow {
  name: string;
  connections: number;
  perSecond: number;
  p50: number;
  p99: number;
  failed: number;
  resent: number;
  pagesPerFlow: number;
  firstError?: string;
  cpuPerFlow?: Record<string, number>;
}

interface Person {
  id: string;
  username: string;
  password: string;
  patient: string;
  /** A browser signed in, with consent given for the plain and the launch scopes. */
  signedIn?: Browser;
  refreshToken?: string;
}

/** The password hash's raw rate here: one at a time, and two at once (the machine's cores). */
export async function rawHashRates(seconds: number): Promise<{ one: number; two: number }> {
  const rate = async (parallel: number) => {
    let n = 0;
    const end = Date.now() + seconds * 1000;
    await Promise.all(Array.from({ length: parallel }, async () => {
      while (Date.now() < end) {
        await hashPassword('correct horse battery staple');
        n++;
      }
    }));
    return n / seconds;
  };
  return { one: await rate(1), two: await rate(2) };
}

export class Flows {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 256 });
  private readonly base: URL;
  private readonly basic: string;

  private constructor(
    private readonly suite: RunningSuite,
    private readonly client: { id: string; secret: string },
    private adminToken: string,
    readonly people: Person[],
  ) {
    this.base = new URL(suite.baseUrl);
    this.basic = `Basic ${Buffer.from(`${encodeURIComponent(client.id)}:${encodeURIComponent(client.secret)}`).toString('base64')}`;
  }

  /** The app (registered as an operator's registrar would), the EHR's admin token, and `count` practitioners with a patient each. */
  static async prepare(suite: RunningSuite, count: number): Promise<Flows> {
    const json = async (path: string, headers: Record<string, string>, body: unknown, expected: number) => {
      const res = await fetch(`${suite.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
      if (res.status !== expected) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as Record<string, string>;
    };
    const adminToken = await Flows.adminToken(suite);
    const app = await json('/register', { authorization: `Bearer ${suite.env.REGISTRATION_INITIAL_ACCESS_TOKEN}` }, {
      client_name: 'Bench Flows App',
      redirect_uris: [CALLBACK],
      grant_types: ['authorization_code', 'refresh_token'],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: 'openid fhirUser offline_access launch user/*.rs patient/*.rs',
    }, 201);
    const tag = randomBytes(4).toString('hex');
    const people: Person[] = [];
    for (let i = 0; i < count; i++) {
      const patient = `pt-bench-${tag}-${i}`;
      const password = `pw-${randomBytes(9).toString('base64url')}`;
      const username = `bench-${tag}-${i}`;
      const user = await json('/admin/users', { authorization: `Bearer ${adminToken}` }, { username, password, display_name: `Dr. Bench ${i}`, fhirUser: `Practitioner/pr-${tag}-${i}`, patients: [{ id: patient, name: `Patient ${i}` }] }, 201);
      people.push({ id: user.id!, username, password, patient });
    }
    return new Flows(suite, { id: app.client_id!, secret: app.client_secret! }, adminToken, people);
  }

  /** The EHR's admin token (client_credentials, minutes long). */
  private static async adminToken(suite: RunningSuite): Promise<string> {
    const admin = await fetch(`${suite.baseUrl}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${suite.adminClientId}:${suite.adminClientSecret}`).toString('base64')}` },
      body: 'grant_type=client_credentials&scope=admin',
    });
    return ((await admin.json()) as { access_token: string }).access_token;
  }

  /** A fresh admin token for the EHR launches, when the people's flows go on after a pause longer than its lifetime. */
  async renewAdminToken(): Promise<void> {
    this.adminToken = await Flows.adminToken(this.suite);
  }

  private authorizeUrl(scope: string, extra: Record<string, string>): { url: string; verifier: string } {
    const verifier = randomBytes(32).toString('base64url');
    const query = new URLSearchParams({
      response_type: 'code', client_id: this.client.id, redirect_uri: CALLBACK, scope, aud: this.suite.fhirBaseUrl, state: randomBytes(8).toString('hex'),
      code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256', ...extra,
    });
    return { url: `/authorize?${query.toString()}`, verifier };
  }

  private async token(form: Record<string, string>): Promise<Record<string, unknown>> {
    const answer = await send(this.agent, new URL('/token', this.base), 'POST', { 'content-type': 'application/x-www-form-urlencoded', authorization: this.basic }, new URLSearchParams(form).toString());
    if (answer.status !== 200) throw new Error(`/token answered ${answer.status}: ${answer.text.slice(0, 200)}`);
    return JSON.parse(answer.text) as Record<string, unknown>;
  }

  /** /authorize in `browser` through its pages to the code, and the code exchanged. */
  private async codeFlow(browser: Browser, person: Person, scope: string, extra: Record<string, string> = {}): Promise<Record<string, unknown>> {
    const { url, verifier } = this.authorizeUrl(scope, extra);
    const landed = await browser.complete(await browser.go('GET', url), person);
    const code = landed.searchParams.get('code');
    if (!code) throw new Error(`no code: ${landed.href.slice(0, 200)}`);
    return this.token({ grant_type: 'authorization_code', code, redirect_uri: CALLBACK, code_verifier: verifier });
  }

  /** (a) */
  fresh = async (person: Person): Promise<Browser> => {
    const browser = new Browser(this.base, this.agent);
    const tokens = await this.codeFlow(browser, person, 'openid fhirUser user/*.rs', { prompt: 'consent' });
    if (typeof tokens.access_token !== 'string') throw new Error('no access token');
    return browser;
  };

  /** (b) */
  signedIn = async (person: Person): Promise<Browser> => {
    const browser = person.signedIn!;
    await this.codeFlow(browser, person, 'openid fhirUser user/*.rs');
    return browser;
  };

  /** (c) */
  refresh = async (person: Person): Promise<undefined> => {
    const tokens = await this.token({ grant_type: 'refresh_token', refresh_token: person.refreshToken! });
    if (typeof tokens.refresh_token !== 'string') throw new Error('no refresh token in the answer');
    person.refreshToken = tokens.refresh_token;
    return undefined;
  };

  /** (d) */
  ehrLaunch = async (person: Person): Promise<Browser> => {
    const created = await send(this.agent, new URL('/launch', this.base), 'POST', { 'content-type': 'application/json', authorization: `Bearer ${this.adminToken}` }, JSON.stringify({ patient: person.patient, user: person.id }));
    if (created.status !== 201) throw new Error(`/launch answered ${created.status}: ${created.text.slice(0, 200)}`);
    const launch = (JSON.parse(created.text) as { launch: string }).launch;
    const browser = person.signedIn!;
    const tokens = await this.codeFlow(browser, person, 'launch openid fhirUser patient/*.rs', { launch });
    if (tokens.patient !== person.patient) throw new Error(`the token response names patient ${String(tokens.patient)}`);
    return browser;
  };

  /** Signs every person in once (consent for both scope sets remembered) and gets each a refresh token. */
  async signEveryoneIn(): Promise<void> {
    for (const person of this.people) {
      const browser = new Browser(this.base, this.agent);
      const tokens = await this.codeFlow(browser, person, 'openid fhirUser user/*.rs offline_access');
      person.refreshToken = tokens.refresh_token as string;
      await this.codeFlow(browser, person, 'openid fhirUser user/*.rs');
      person.signedIn = browser;
      await this.ehrLaunch(person); // the launch scopes' consent, for this person's patient
    }
  }

  /** `connections` people doing `flow` over and over for `seconds` (after a warm-up), and what it cost. */
  async run(name: string, flow: (p: Person) => Promise<Browser | undefined>, connections: number, seconds: number, warmup: number, cpu: () => CpuGroups): Promise<FlowRow> {
    const people = this.people.slice(0, connections);
    if (people.length < connections) throw new Error(`only ${people.length} people for ${connections} connections`);
    const loop = async (until: number, record: boolean, totals: { latencies: number[]; failed: number; resent: number; pages: number; firstError?: string }) => {
      await Promise.all(people.map(async (person) => {
        while (Date.now() < until) {
          const started = performance.now();
          try {
            const browser = await flow(person);
            if (record) {
              totals.latencies.push(performance.now() - started);
              totals.pages += browser?.pages ?? 0;
              totals.resent += browser?.retries ?? 0;
            }
            if (browser) browser.pages = browser.retries = 0;
          } catch (err: unknown) {
            if (record) totals.failed++;
            totals.firstError ??= (err as Error).message;
          }
        }
      }));
    };
    await loop(Date.now() + warmup * 1000, false, { latencies: [], failed: 0, resent: 0, pages: 0 });
    const totals: { latencies: number[]; failed: number; resent: number; pages: number; firstError?: string } = { latencies: [], failed: 0, resent: 0, pages: 0 };
    const before = cpuSnapshot(cpu());
    const started = performance.now();
    await loop(Date.now() + seconds * 1000, true, totals);
    const elapsed = (performance.now() - started) / 1000;
    const used = cpuUsedBetween(before, cpuSnapshot(cpu()));
    const done = totals.latencies.length;
    return {
      name,
      connections,
      perSecond: done / elapsed,
      p50: percentile(totals.latencies, 0.5),
      p99: percentile(totals.latencies, 0.99),
      failed: totals.failed,
      resent: totals.resent,
      pagesPerFlow: done ? totals.pages / done : 0,
      ...(totals.firstError ? { firstError: totals.firstError } : {}),
      ...(done ? { cpuPerFlow: Object.fromEntries(Object.entries(used).map(([k, v]) => [k, Math.round((v * 1e6) / done)])) } : {}),
    };
  }
}

/** Runs the four flows at 16 and 64 people; prints them, their CPU and their ratios. Returns false if any flow failed. */
export async function runFlows(suite: RunningSuite, seconds: number, warmup: number, cpu: () => CpuGroups, clientCredentialsRate?: number): Promise<boolean> {
  const raw = await rawHashRates(3);
  const flows = await Flows.prepare(suite, 64);
  await flows.signEveryoneIn();
  const rows: FlowRow[] = [];
  const all: [string, (p: Person) => Promise<Browser | undefined>][] = [
    ['(a) fresh sign-in: /authorize, sign-in, consent, /token', flows.fresh],
    ['(b) signed in, consent remembered: /authorize, /token', flows.signedIn],
    ['(c) refresh with rotation', flows.refresh],
    ['(d) EHR launch: /launch, /authorize, /token', flows.ehrLaunch],
  ];
  const chosen = all.filter(([name]) => ONLY_FLOWS.has(name[1]!));
  for (const connections of FLOW_CONNECTIONS) for (const [name, flow] of chosen) rows.push(await flows.run(name, flow, connections, seconds, warmup, cpu));
  console.log(`\n# whole flows (raw password hash here: ${raw.one.toFixed(1)}/s one at a time, ${raw.two.toFixed(1)}/s two at once)`);
  console.log('| flow | people | flows/s | p50 ms | p99 ms | failed | 503s sent again | pages per flow |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.name} | ${r.connections} | ${r.perSecond.toFixed(1)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.failed} | ${r.resent} | ${r.pagesPerFlow.toFixed(2)} |`);
  const groups = Object.keys(rows.find((r) => r.cpuPerFlow)?.cpuPerFlow ?? {});
  console.log(`\nCPU µs per flow, by process:\n| flow | people | ${groups.join(' | ')} | total |\n|---|---|${groups.map(() => '---|').join('')}---|`);
  for (const r of rows.filter((x) => x.cpuPerFlow)) console.log(`| ${r.name.slice(0, 3)} | ${r.connections} | ${groups.map((g) => r.cpuPerFlow![g]).join(' | ')} | ${Object.values(r.cpuPerFlow!).reduce((a, b) => a + b, 0)} |`);
  const best = (prefix: string) => Math.max(0, ...rows.filter((r) => r.name.startsWith(prefix)).map((r) => r.perSecond));
  console.log(`fresh sign-ins/s ÷ raw hashes/s (two at once): ${(best('(a)') / raw.two).toFixed(2)} (target 0.8)`);
  if (clientCredentialsRate) {
    console.log(`signed-in flows/s ÷ client_credentials tokens/s: ${(best('(b)') / clientCredentialsRate).toFixed(2)} (target 0.4)`);
    console.log(`refreshes/s ÷ client_credentials tokens/s: ${(best('(c)') / clientCredentialsRate).toFixed(2)} (target 0.5)`);
  }
  for (const r of rows.filter((x) => x.firstError)) console.log(`${r.name} at ${r.connections}: first error: ${r.firstError}`);
  return rows.every((r) => r.failed === 0);
}
