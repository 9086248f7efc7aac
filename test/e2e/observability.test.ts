import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startSuite, type RunningSuite, type SuiteService } from '#testing';
import { obtainCode } from './support/form-flow.js';
import { basicAuth, call, introspect, machineClient, register, revoke, tokenRequest, type RegisteredClient } from './support/http.js';
import { adminToken, createUser } from './support/people.js';

const realInfrastructure = Boolean(process.env.NATS_URL && process.env.DATABASE_URL);
const SERVICES: SuiteService[] = ['gateway', 'token', 'registration', 'introspection', 'jwks', 'audit', 'authorization'];

interface ExportedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
}

/** A tiny OTLP/HTTP JSON receiver (what a collector would be): keeps every span it is sent. */
class OtlpReceiver {
  readonly spans: ExportedSpan[] = [];
  readonly contentTypes = new Set<string>();

  private constructor(private readonly server: Server) {}

  static async start(): Promise<OtlpReceiver> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        receiver.contentTypes.add(String(req.headers['content-type']));
        if (req.url === '/v1/traces') receiver.take(Buffer.concat(chunks).toString());
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    const receiver = new OtlpReceiver(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private take(body: string): void {
    type Attr = { key: string; value: { stringValue?: string } };
    type Payload = { resourceSpans?: Array<{ resource?: { attributes?: Attr[] }; scopeSpans?: Array<{ spans?: Array<Omit<ExportedSpan, 'service'>> }> }> };
    const payload = JSON.parse(body) as Payload;
    for (const rs of payload.resourceSpans ?? []) {
      const service = rs.resource?.attributes?.find((a) => a.key === 'service.name')?.value.stringValue ?? '?';
      for (const ss of rs.scopeSpans ?? []) for (const s of ss.spans ?? []) this.spans.push({ service, traceId: s.traceId, spanId: s.spanId, parentSpanId: s.parentSpanId, name: s.name });
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** Prometheus text format: the value of one series (`name{labels}` exactly as rendered), or undefined. */
function sample(metrics: string, series: string): number | undefined {
  const line = metrics.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what}: not within ${ms} ms`);
}

describe('observability: logs, metrics, management port, tracing', { skip: realInfrastructure ? false : 'needs NATS_URL and DATABASE_URL' }, () => {
  let suite: RunningSuite;
  let receiver: OtlpReceiver;
  const run = randomBytes(4).toString('hex');
  const requestIds = [0, 1, 2].map((i) => `obs-${run}-${i}`);
  /** The trace the test starts itself (W3C traceparent sent on the first token request). */
  const traceId = randomBytes(16).toString('hex');
  /** Every secret, token and password this test used: none may appear in any log line. */
  const secrets: string[] = [];
  const metricsOf = async (service: SuiteService) => (await fetch(`${suite.managementUrl(service)}/metrics`)).text();
  let issuedBefore = 0;
  let machine: RegisteredClient;
  const accessTokens: string[] = [];

  before(async () => {
    receiver = await OtlpReceiver.start();
    suite = await startSuite({
      collectLogs: true,
      env: {
        LOG_LEVEL: 'debug',
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_BSP_SCHEDULE_DELAY: '100',
      },
    });
    secrets.push(suite.adminClientSecret, suite.env.KEY_ENCRYPTION_KEY!);
    const admin = await adminToken(suite);
    secrets.push(admin);
    machine = await machineClient(suite);
    secrets.push(machine.client_secret!, machine.registration_access_token);
    issuedBefore = sample(await metricsOf('token'), 'oauth_tokens_issued_total{grant_type="client_credentials"}') ?? 0;

    // Three client_credentials tokens, each under a request id of ours; the first also continues a trace of ours.
    for (const [i, requestId] of requestIds.entries()) {
      const headers: Record<string, string> = { authorization: basicAuth(machine.client_id, machine.client_secret!), 'x-request-id': requestId };
      if (i === 0) headers.traceparent = `00-${traceId}-${randomBytes(8).toString('hex')}-01`;
      const reply = await tokenRequest(suite, { grant_type: 'client_credentials' }, headers);
      assert.equal(reply.status, 200, reply.text);
      assert.equal(reply.headers.get('x-request-id'), requestId, 'the request id comes back');
      accessTokens.push(reply.json.access_token as string);
    }
    secrets.push(...accessTokens);
    const caller = basicAuth(machine.client_id, machine.client_secret!);
    assert.equal((await introspect(suite, accessTokens[0]!, caller)).json.active, true);
    assert.equal((await revoke(suite, accessTokens[1]!, caller)).status, 200);
    assert.equal((await introspect(suite, accessTokens[1]!, caller)).json.active, false);

    // A person signs in (login, consent pages) and an app gets code, ID, access and refresh tokens.
    const person = await createUser(suite, admin, { fhirUser: 'Patient/pt-observed', display_name: 'Olga Observed' });
    secrets.push(person.password);
    const redirect = 'https://app.example/callback';
    const app = await register(suite, {
      client_name: 'Observed App',
      redirect_uris: [redirect],
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code', 'refresh_token'],
      scope: 'openid fhirUser launch/patient offline_access patient/*.rs',
    });
    secrets.push(app.client_secret!, app.registration_access_token);
    const appAuth = basicAuth(app.client_id, app.client_secret!);
    const code = await obtainCode(suite, { client_id: app.client_id, redirect_uri: redirect, scope: 'openid fhirUser launch/patient offline_access patient/*.rs' }, { username: person.username, password: person.password });
    secrets.push(code.code, code.verifier);
    const tokens = await tokenRequest(suite, { grant_type: 'authorization_code', code: code.code, redirect_uri: redirect, code_verifier: code.verifier }, { authorization: appAuth });
    assert.equal(tokens.status, 200, tokens.text);
    secrets.push(tokens.json.access_token as string, tokens.json.id_token as string, tokens.json.refresh_token as string);
    const refreshed = await tokenRequest(suite, { grant_type: 'refresh_token', refresh_token: tokens.json.refresh_token as string }, { authorization: appAuth });
    assert.equal(refreshed.status, 200, refreshed.text);
    secrets.push(refreshed.json.access_token as string, refreshed.json.refresh_token as string);
    assert.equal((await revoke(suite, refreshed.json.refresh_token as string, appAuth)).status, 200);
    // A wrong secret and a wrong password are logged about (at most) but never written out either.
    const wrongSecret = `wrong-${randomBytes(12).toString('base64url')}`;
    secrets.push(wrongSecret);
    assert.equal((await tokenRequest(suite, { grant_type: 'client_credentials' }, { authorization: basicAuth(machine.client_id, wrongSecret) })).status, 401);
  });

  after(async () => {
    await suite?.stop();
    await receiver?.close();
  });

  it('replaces a request id that is too long or unsafe, and makes one when none is sent', async () => {
    const seen = new Set<string>();
    for (const given of ['a'.repeat(129), 'two words', 'quote"d', 'semi;colon', undefined]) {
      const reply = await call(suite, '/jwks', given === undefined ? {} : { headers: { 'x-request-id': given } });
      const id = reply.headers.get('x-request-id') ?? '';
      assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, `${given}: ${id}`);
      seen.add(id);
    }
    assert.equal(seen.size, 5, 'a new id each time');
    assert.equal((await call(suite, '/jwks', { headers: { 'x-request-id': 'ok.id_1:2-3' } })).headers.get('x-request-id'), 'ok.id_1:2-3');
  });

  it('writes every line as JSON with level, time, service and message', () => {
    const lines = suite.logLines();
    assert.ok(lines.length > 50, `only ${lines.length} lines`);
    for (const { service, stream, line } of lines) {
      let parsed: Record<string, unknown>;
      try {
        parsed = JSON.parse(line) as Record<string, unknown>;
      } catch {
        assert.fail(`[${service} ${stream}] not JSON: ${line}`);
      }
      assert.equal(typeof parsed.level, 'string', line);
      assert.equal(typeof parsed.time, 'string', line);
      assert.equal(parsed.service, service.replace(/\+$/, ''), line);
      assert.ok(typeof parsed.msg === 'string' || parsed.msg === undefined, line);
    }
  });

  it('carries the request id from the gateway through NATS into the token and registration services', () => {
    const withId = (service: string, id: string) => suite.logLines(service).filter((l) => (JSON.parse(l.line) as { request_id?: string }).request_id === id);
    for (const id of requestIds) {
      assert.ok(withId('gateway', id).length > 0, `gateway lines with ${id}`);
      assert.ok(withId('token', id).length > 0, `token lines with ${id}`);
    }
    // The client is looked up once (then cached): the registration service's line carries the first request's id.
    assert.ok(withId('registration', requestIds[0]!).length > 0, 'registration line of the first request');
    // The introspection service logged the revocation under the gateway's generated id too.
    assert.ok(suite.logLines('introspection').some((l) => (JSON.parse(l.line) as { request_id?: string }).request_id), 'introspection lines carry request ids');
  });

  it('logs no secret, token, code or password that the test used', () => {
    const all = suite.logLines().map((l) => l.line).join('\n');
    assert.ok(secrets.length >= 15);
    for (const secret of secrets) {
      assert.ok(secret.length >= 12, 'secrets are long enough to be meaningful');
      assert.equal(all.includes(secret), false, `a secret appears in the logs (${secret.slice(0, 6)}…)`);
    }
  });

  it('serves health on each management port, and metrics that count what happened', async () => {
    for (const service of SERVICES) {
      assert.equal((await fetch(`${suite.managementUrl(service)}/health/live`)).status, 200, service);
      const ready = await fetch(`${suite.managementUrl(service)}/health/ready`);
      assert.equal(ready.status, 200, `${service} ready: ${await ready.text()}`);
      const metrics = await fetch(`${suite.managementUrl(service)}/metrics`);
      assert.equal(metrics.status, 200);
      assert.match(metrics.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
      const text = await metrics.text();
      assert.match(text, /^process_cpu_seconds_total /m, `${service}: default process metrics`);
      assert.match(text, /^# TYPE nats_request_duration_seconds histogram$/m);
    }
    const token = await metricsOf('token');
    assert.equal(sample(token, 'oauth_tokens_issued_total{grant_type="client_credentials"}'), issuedBefore + 3, 'three more client_credentials tokens');
    assert.ok(sample(token, 'oauth_tokens_issued_total{grant_type="authorization_code"}')! >= 1);
    assert.ok(sample(token, 'oauth_tokens_issued_total{grant_type="refresh_token"}')! >= 1);
    assert.ok(sample(token, 'oauth_token_requests_total{grant_type="client_credentials",result="success"}')! >= 4);
    assert.ok(sample(token, 'oauth_token_requests_total{grant_type="client_credentials",result="invalid_client"}')! >= 1);
    assert.ok(sample(token, 'oauth_token_issue_duration_seconds_count{grant_type="client_credentials"}')! >= 5);
    assert.ok(sample(token, 'nats_request_duration_seconds_count{subject="registration.v1.client.lookup",outcome="ok"}')! >= 1, 'the token service timed its lookups');

    const gateway = await metricsOf('gateway');
    assert.ok(sample(gateway, 'http_requests_total{route="/token",method="POST",status="200"}')! >= 6);
    assert.ok(sample(gateway, 'http_requests_total{route="/token",method="POST",status="401"}')! >= 1);
    assert.ok(sample(gateway, 'http_request_duration_seconds_count{route="/register",method="POST",status="201"}')! >= 2);
    assert.ok(sample(gateway, 'http_requests_total{route="/interaction/*",method="POST",status="303"}') !== undefined || /route="\/interaction/.test(gateway), 'interaction pages counted by template');
    assert.ok(sample(gateway, 'nats_request_duration_seconds_count{subject="token.v1.issue",outcome="ok"}')! >= 6);
    assert.doesNotMatch(gateway, new RegExp(machine.client_id), 'no client id as a label');
    assert.doesNotMatch(gateway, /route="\/register\/[^:]/, 'routes are templates');

    const introspection = await metricsOf('introspection');
    assert.ok(sample(introspection, 'oauth_introspections_total{active="true"}')! >= 1);
    assert.ok(sample(introspection, 'oauth_introspections_total{active="false"}')! >= 1);
    assert.ok(sample(introspection, 'oauth_tokens_revoked_total')! >= 2, 'an access token and a refresh token');
    assert.equal(sample(introspection, 'outbox_backlog_events{service="introspection"}'), 0);

    const jwks = await metricsOf('jwks');
    const keys = jwks.split('\n').filter((l) => l.startsWith('signing_key_age_seconds{'));
    assert.ok(keys.some((l) => /state="active",alg="ES256"/.test(l)), jwks);
    assert.ok(keys.every((l) => Number(l.split(' ')[1]) >= 0));

    await eventually('audit events stored', async () => ((sample(await metricsOf('audit'), 'audit_events_stored_total') ?? 0) >= 8 ? true : undefined));
    // The audit consumer's lag, read from JetStream at each scrape; it catches up.
    await eventually('the audit consumer caught up', async () => (/^events_consumer_pending\{consumer="[^"]+"\} 0$/m.test(await metricsOf('audit')) ? true : undefined));

    // Each family is exported only by the processes that record it (issue #19: a gateway showed audit_events_stored_total 0).
    const families = (text: string) => new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!));
    const owners: Record<string, SuiteService[]> = {
      audit_events_stored_total: ['audit'],
      events_consumer_pending: ['audit'],
      oauth_token_requests_total: ['token'],
      oauth_tokens_issued_total: ['token'],
      oauth_introspections_total: ['introspection'],
      http_requests_total: ['gateway'],
      gateway_admission_open: ['gateway'],
      signing_key_age_seconds: ['jwks'],
      outbox_backlog_events: ['authorization', 'registration', 'introspection', 'jwks'],
    };
    const exported = new Map<SuiteService, Set<string>>();
    for (const service of SERVICES) exported.set(service, families(await metricsOf(service)));
    for (const [family, services] of Object.entries(owners)) {
      assert.deepEqual(SERVICES.filter((service) => exported.get(service)!.has(family)), [...services].sort((a, b) => SERVICES.indexOf(a) - SERVICES.indexOf(b)), family);
    }
  });

  it('never serves metrics on the gateway public port', async () => {
    const reply = await call(suite, '/metrics');
    assert.equal(reply.status, 404);
    assert.doesNotMatch(reply.text, /process_cpu_seconds_total/);
    // The public health endpoints stay (the Ingress and the harness use them).
    assert.equal((await call(suite, '/health/ready')).status, 200);
  });

  it('exports spans of the gateway and the token service in one trace, continuing an incoming traceparent', async () => {
    assert.ok([...receiver.contentTypes].every((t) => t.startsWith('application/json')), [...receiver.contentTypes].join());
    const ours = await eventually('spans of our trace from gateway and token', async () => {
      const spans = receiver.spans.filter((s) => s.traceId === traceId);
      return spans.some((s) => s.service === 'gateway') && spans.some((s) => s.service === 'token') && spans.some((s) => s.service === 'registration') ? spans : undefined;
    });
    const http = ours.find((s) => s.service === 'gateway' && s.name === 'POST /token');
    assert.ok(http, ours.map((s) => `${s.service}:${s.name}`).join(', '));
    const client = ours.find((s) => s.service === 'gateway' && s.name === 'nats request token.v1.issue');
    assert.equal(client?.parentSpanId, http.spanId, 'the NATS request is a child of the HTTP span');
    const server = ours.find((s) => s.service === 'token' && s.name === 'nats handle token.v1.issue');
    assert.equal(server?.parentSpanId, client.spanId, 'the token service continues the trace from the NATS headers');
    // A request without a traceparent starts a trace at the gateway that the token service joins as well.
    const fresh = receiver.spans.filter((s) => s.service === 'gateway' && s.name === 'POST /token' && s.traceId !== traceId).map((s) => s.traceId);
    assert.ok(fresh.some((t) => receiver.spans.some((s) => s.traceId === t && s.service === 'token')));
    // Log lines of the traced work carry its trace id.
    const gatewayLine = suite.logLines('gateway').map((l) => JSON.parse(l.line) as { request_id?: string; trace_id?: string }).find((l) => l.request_id === requestIds[0]);
    assert.equal(gatewayLine?.trace_id, traceId);
  });
});

describe('observability in the embedded mode (npm start): one process, in-process transport', () => {
  let suite: RunningSuite;
  before(async () => {
    suite = await startSuite({ embedded: true, collectLogs: true, env: { LOG_LEVEL: 'debug' } });
  });
  after(async () => suite?.stop());

  it('carries the request id through the in-process transport, and serves every service on one management port', async () => {
    const requestId = `emb-${randomBytes(4).toString('hex')}`;
    const reply = await tokenRequest(suite, { grant_type: 'client_credentials' }, { authorization: basicAuth(suite.adminClientId, suite.adminClientSecret), 'x-request-id': requestId });
    assert.equal(reply.status, 200, reply.text);
    const lines = suite.logLines('suite').filter((l) => l.stream === 'stdout').map((l) => JSON.parse(l.line) as { request_id?: string; subject?: string; route?: string; service?: string });
    await eventually('the lines of the request', async () => {
      const mine = suite.logLines('suite').filter((l) => l.line.includes(requestId)).map((l) => JSON.parse(l.line) as { subject?: string; route?: string });
      return mine.some((l) => l.subject === 'token.v1.issue') && mine.some((l) => l.route === '/token') ? true : undefined;
    });
    assert.ok(lines.every((l) => l.service === 'suite'));
    assert.equal(suite.logLines('suite').some((l) => l.line.includes(suite.adminClientSecret)), false, 'the admin secret is not logged');
    const ready = await fetch(`${suite.managementUrl('suite')}/health/ready`);
    const report = (await ready.json()) as { services: Record<string, unknown> };
    assert.equal(ready.status, 200);
    assert.deepEqual(Object.keys(report.services).sort(), [...SERVICES].sort());
    const metrics = await (await fetch(`${suite.managementUrl('suite')}/metrics`)).text();
    assert.ok(sample(metrics, 'oauth_tokens_issued_total{grant_type="client_credentials"}')! >= 1);
    assert.ok(sample(metrics, 'http_requests_total{route="/token",method="POST",status="200"}')! >= 1);
    assert.match(metrics, /^outbox_backlog_events\{service="registration"\} \d+$/m);
    assert.equal((await call(suite, '/metrics')).status, 404);
  });
});
