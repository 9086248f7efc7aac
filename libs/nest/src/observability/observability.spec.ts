import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { ConfigurationError, loadConfig } from '../config/load-config.js';
import { CommonConfig } from '../config/common.config.js';
import { localSubject, outgoingHeaders } from './message-propagation.js';
import { createProcessLogger, PinoNestLogger, scrubText } from './process-log.js';
import { RequestContext } from './request-context.js';
import { tracingRequested } from './tracing.js';
import { SuiteMetrics } from './metrics.js';

function capture(level = 'debug'): { lines: () => Array<Record<string, unknown>>; logger: PinoNestLogger } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const logger = new PinoNestLogger(createProcessLogger('test', { level, format: 'json', destination }));
  return {
    logger,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe('RequestContext', () => {
  const cases: Array<[string, unknown, boolean]> = [
    ['a UUID', '0b7c6f0e-3f0a-4a53-9a56-0b2b1f0e9c11', true],
    ['letters, digits and . _ : -', 'req.1_a:b-c', true],
    ['128 characters', 'a'.repeat(128), true],
    ['129 characters', 'a'.repeat(129), false],
    ['empty', '', false],
    ['a newline (log injection)', 'abc\ndef', false],
    ['a space', 'a b', false],
    ['a quote', 'a"b', false],
    ['not a string', ['a'], false],
  ];
  for (const [name, value, ok] of cases) it(`${ok ? 'accepts' : 'refuses'} ${name}`, () => assert.equal(RequestContext.accept(value), ok ? value : undefined));

  it('makes a new id for a refused one', () => assert.match(RequestContext.acceptOrCreate('bad id'), /^[0-9a-f-]{36}$/));

  it('keeps the id across awaits and leaves it behind', async () => {
    assert.equal(RequestContext.requestId(), undefined);
    await RequestContext.run('r-1', async () => {
      await new Promise((r) => setTimeout(r, 1));
      assert.equal(RequestContext.requestId(), 'r-1');
      assert.deepEqual(outgoingHeaders(), { 'x-request-id': 'r-1' });
    });
    assert.equal(RequestContext.requestId(), undefined);
    assert.equal(outgoingHeaders(), undefined, 'background work sends no headers');
  });
});

describe('process logger', () => {
  it('writes JSON lines with level, service, context and the request id', async () => {
    const { logger, lines } = capture();
    await RequestContext.run('req-42', async () => logger.log('hello', 'Ctx'));
    logger.warn('outside');
    const [inside, outside] = lines();
    assert.equal(inside!.level, 'info');
    assert.equal(inside!.service, 'test');
    assert.equal(inside!.context, 'Ctx');
    assert.equal(inside!.msg, 'hello');
    assert.equal(inside!.request_id, 'req-42');
    assert.equal(outside!.level, 'warn');
    assert.equal(outside!.request_id, undefined);
  });

  it('honours LOG_LEVEL', () => {
    const { logger, lines } = capture('warn');
    logger.log('dropped');
    logger.debug('dropped');
    logger.error('kept', 'Ctx');
    assert.deepEqual(
      lines().map((l) => l.msg),
      ['kept'],
    );
  });

  it('redacts secrets in logged objects, at the top and nested', () => {
    const { logger, lines } = capture();
    logger.log({
      msg: 'req',
      client_secret: 's3cret-a',
      headers: { authorization: 'Basic s3cret-b', cookie: 'smart_session=s3cret-c' },
      params: { refresh_token: 's3cret-d', code_verifier: 's3cret-e', password: 's3cret-f', grant_type: 'client_credentials' },
      body: { registration_access_token: 's3cret-g', client_assertion: 's3cret-h' },
      key: { privateKey: 's3cret-i' },
    });
    const text = JSON.stringify(lines());
    assert.doesNotMatch(text, /s3cret/);
    assert.match(text, /client_credentials/, 'other fields stay');
  });

  it('scrubs JWTs and Basic/Bearer credentials out of message text', () => {
    const jwt = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJl';
    assert.equal(scrubText(`token ${jwt} refused`), 'token [redacted] refused');
    assert.equal(scrubText('header Bearer abc.def-ghi'), 'header Bearer [redacted]');
    assert.equal(scrubText('header basic dXNlcjpwYXNz'), 'header basic [redacted]');
    const { logger, lines } = capture();
    logger.error(new Error(`bad ${jwt}`));
    assert.doesNotMatch(JSON.stringify(lines()), /eyJzdWIi/);
  });
});

describe('tracingRequested (standard OTEL_* variables)', () => {
  const cases: Array<[string, NodeJS.ProcessEnv, string | undefined]> = [
    ['nothing set: off', {}, undefined],
    ['OTEL_TRACES_EXPORTER=otlp', { OTEL_TRACES_EXPORTER: 'otlp' }, 'otlp'],
    ['an endpoint alone', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, 'otlp'],
    ['a traces endpoint alone', { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' }, 'otlp'],
    ['exporter none wins over an endpoint', { OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }, undefined],
    ['OTEL_SDK_DISABLED=true wins', { OTEL_SDK_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'otlp' }, undefined],
    ['console', { OTEL_TRACES_EXPORTER: 'console' }, 'console'],
    ['an unknown exporter: off', { OTEL_TRACES_EXPORTER: 'zipkin' }, undefined],
  ];
  for (const [name, env, expected] of cases) it(name, () => assert.equal(tracingRequested(env), expected));
});

describe('observability settings', () => {
  it('defaults to JSON logs and management port 9464', () => {
    const config = loadConfig(CommonConfig, {});
    assert.equal(config.LOG_FORMAT, 'json');
    assert.equal(config.MANAGEMENT_PORT, 9464);
  });
  const bad: Array<[string, NodeJS.ProcessEnv]> = [
    ['LOG_LEVEL', { LOG_LEVEL: 'chatty' }],
    ['LOG_FORMAT', { LOG_FORMAT: 'xml' }],
    ['MANAGEMENT_PORT', { MANAGEMENT_PORT: '70000' }],
    ['MANAGEMENT_PORT', { MANAGEMENT_PORT: 'nine' }],
  ];
  for (const [name, env] of bad) {
    it(`refuses ${name}=${Object.values(env)[0]}`, () =>
      assert.throws(() => loadConfig(CommonConfig, env), (err: unknown) => err instanceof ConfigurationError && err.message.includes(name)));
  }
});

describe('metrics', () => {
  it('strips the installation prefix from subjects', () => {
    assert.equal(localSubject('smart.token.v1.issue'), 'token.v1.issue');
    assert.equal(localSubject('other.token.v1.issue'), 'other.token.v1.issue');
  });

  it('renders gauges from their sources at scrape time, leaving out a source that fails', async () => {
    const metrics = new SuiteMetrics();
    let pending = 3;
    metrics.watchOutbox('jwks', async () => pending);
    metrics.watchOutbox('registration', async () => {
      throw new Error('database down');
    });
    metrics.watchKeys(() => [{ labels: { kid: 'k1', state: 'active', alg: 'ES256' }, value: 12 }]);
    let body = (await metrics.render()).body;
    assert.match(body, /^outbox_backlog_events\{service="jwks"\} 3$/m);
    assert.doesNotMatch(body, /service="registration"/);
    assert.match(body, /^signing_key_age_seconds\{kid="k1",state="active",alg="ES256"\} 12$/m);
    pending = 0;
    body = (await metrics.render()).body;
    assert.match(body, /^outbox_backlog_events\{service="jwks"\} 0$/m);
    assert.match(body, /^process_cpu_seconds_total/m, 'default process metrics');
  });
});
