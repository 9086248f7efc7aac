import 'reflect-metadata';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { connect, createInbox, headers, type NatsConnection } from '@nats-io/transport-node';
import { EMPTY, from, of, type Observable } from 'rxjs';
import type { RpcRoute } from '#contracts';
import { InvalidGrant, OAuthError } from '#oauth';
import { DirectNatsRequester } from './direct-nats.requester.js';
import { OAuthRpcExceptionFilter } from './oauth-rpc-exception.filter.js';
import { ReplyMux } from './reply-mux.js';
import { ServiceBus } from './service-bus.js';
import { SharedNatsServer } from './shared-nats.transport.js';
import { WORKING_HEADER } from './working-heartbeat.js';
import { RequestContext } from '../observability/request-context.js';

const NATS_URL = process.env.NATS_URL;
const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** Subjects of this run only. */
const P = `spec.shared-nats.${process.pid}.${Date.now()}`;
const SUBJECT = {
  value: `${P}.value`,
  nothing: `${P}.nothing`,
  refused: `${P}.refused`,
  crash: `${P}.crash`,
  slow: `${P}.slow`,
  event: `${P}.event`,
  observed: `${P}.observed`,
  stream: `${P}.stream`,
  none: `${P}.none`,
  counted: `${P}.counted`,
};

const route = <Req, Res>(subject: string): RpcRoute<Req, Res> => ({ subject, idempotent: false });
const ROUTE = {
  value: route<{ n: number }, { doubled: number }>(SUBJECT.value),
  refused: route<Record<string, never>, unknown>(SUBJECT.refused),
  slow: route<Record<string, never>, string>(SUBJECT.slow),
  counted: route<Record<string, never>, number>(SUBJECT.counted),
};

const heard: unknown[] = [];
/** How long the slow handler works: several heartbeat intervals, so the count below does not hang on timer phase. */
const SLOW_MS = 500;
let counted = 0;

@Controller()
class SpecController {
  @MessagePattern(SUBJECT.value)
  async value(@Payload() payload: { n: number }): Promise<{ doubled: number; requestId: string | undefined }> {
    return { doubled: payload.n * 2, requestId: RequestContext.requestId() };
  }

  @MessagePattern(SUBJECT.nothing)
  nothing(): undefined {
    return undefined;
  }

  @MessagePattern(SUBJECT.refused)
  refused(): never {
    throw new InvalidGrant('the code was already used');
  }

  @MessagePattern(SUBJECT.crash)
  crash(): never {
    throw new Error('a bug');
  }

  @MessagePattern(SUBJECT.slow)
  async slow(): Promise<string> {
    await new Promise((resolve) => setTimeout(resolve, SLOW_MS));
    return 'finished';
  }

  @MessagePattern(SUBJECT.observed)
  observed(): Observable<string> {
    return of('one value');
  }

  @MessagePattern(SUBJECT.stream)
  stream(): Observable<number> {
    return from([1, 2, 3]);
  }

  @MessagePattern(SUBJECT.none)
  none(): Observable<never> {
    return EMPTY;
  }

  @MessagePattern(SUBJECT.counted)
  counted(): number {
    return ++counted;
  }

  @EventPattern(SUBJECT.event)
  event(@Payload() payload: unknown): void {
    heard.push(payload);
  }
}

@Module({ controllers: [SpecController] })
class SpecModule {}

async function started(): Promise<{ app: INestMicroservice; server: NatsConnection; client: NatsConnection; bus: ServiceBus; mux: ReplyMux; stop: () => Promise<void> }> {
  const server = await connect({ servers: NATS_URL! });
  const client = await connect({ servers: NATS_URL! });
  const app = await NestFactory.createMicroservice(SpecModule, { strategy: new SharedNatsServer(server, 'spec'), logger: false });
  app.useGlobalFilters(new OAuthRpcExceptionFilter('spec'));
  await app.listen();
  await server.flush();
  const mux = new ReplyMux(client);
  const bus = new ServiceBus(new DirectNatsRequester(mux, () => true), 2000);
  return {
    app,
    server,
    client,
    bus,
    mux,
    stop: async () => {
      mux.close();
      await app.close();
      await Promise.all([server.close(), client.close()]);
    },
  };
}

/** Every message that comes back to one request sent on `subject` within `ms`: answers and "working" alike. */
/**
 * Every message on the reply subject of one request, until `ms` after it was
 * sent, or (with `untilAnswered`) until `ms` after its answer arrived, 5 s at most.
 */
async function repliesTo(client: NatsConnection, subject: string, body: string, ms: number, untilAnswered = false): Promise<Array<{ body: string; working: boolean }>> {
  const inbox = createInbox();
  const got: Array<{ body: string; working: boolean }> = [];
  const sub = client.subscribe(inbox, { callback: (_err, m) => void got.push({ body: decoder.decode(m.data), working: m.headers?.has(WORKING_HEADER) ?? false }) });
  client.publish(subject, body, { reply: inbox });
  for (let waited = 0; untilAnswered && waited < 5000 && !got.some((r) => !r.working); waited += 20) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, ms));
  sub.unsubscribe();
  return got;
}

const request = (subject: string, id: string) => JSON.stringify({ pattern: subject, data: {}, id });

describe('SharedNatsServer: requests answered in NestJS\'s wire format', { skip: NATS_URL ? false : 'needs NATS_URL (a real nats-server)' }, () => {
  it('answers a value once, as {response, isDisposed, id} with the request\'s id, under the request id of its headers', async () => {
    const s = await started();
    try {
      const h = headers();
      h.set('x-request-id', 'spec-request-1');
      const id = 'packet-id-1';
      const reply = await s.mux.request(SUBJECT.value, encoder.encode(JSON.stringify({ pattern: SUBJECT.value, data: { n: 21 }, id })), { timeoutMs: 2000, headers: h });
      assert.deepEqual(JSON.parse(decoder.decode(reply.data)), { response: { doubled: 42, requestId: 'spec-request-1' }, isDisposed: true, id });
      // Through the typed bus too, concurrently.
      const answers = await Promise.all(Array.from({ length: 50 }, (_, n) => s.bus.request(ROUTE.value, { n })));
      assert.deepEqual(answers.map((a) => a.doubled), Array.from({ length: 50 }, (_, n) => n * 2));
    } finally {
      await s.stop();
    }
  });

  it('answers a handler that returns nothing with an empty response, not a timeout', async () => {
    const s = await started();
    try {
      const reply = await s.mux.request(SUBJECT.nothing, JSON.stringify({ pattern: SUBJECT.nothing, data: {}, id: 'x' }), { timeoutMs: 2000 });
      assert.deepEqual(JSON.parse(decoder.decode(reply.data)), { isDisposed: true, id: 'x' });
    } finally {
      await s.stop();
    }
  });

  it('sends the OAuth error envelope of a refused request, and server_error (without the detail) for a bug', async () => {
    const s = await started();
    try {
      await assert.rejects(s.bus.request(ROUTE.refused, {}), (err: unknown) => {
        assert.ok(err instanceof OAuthError);
        assert.equal(err.error, 'invalid_grant');
        assert.equal(err.description, 'the code was already used');
        return true;
      });
      const raw = await s.mux.request(SUBJECT.crash, JSON.stringify({ pattern: SUBJECT.crash, data: {}, id: 'c' }), { timeoutMs: 2000 });
      const answer = JSON.parse(decoder.decode(raw.data)) as { err?: { error?: string }; id?: string; response?: unknown };
      assert.equal(answer.id, 'c');
      assert.equal(answer.err?.error, 'server_error');
      assert.equal('response' in answer, false);
      assert.doesNotMatch(JSON.stringify(answer), /a bug/);
    } finally {
      await s.stop();
    }
  });

  it('hands an event (no id) to its event handler and sends no answer', async () => {
    const s = await started();
    try {
      heard.length = 0;
      s.client.publish(SUBJECT.event, JSON.stringify({ pattern: SUBJECT.event, data: { kind: 'spec' } }));
      await s.client.flush();
      for (let i = 0; i < 50 && heard.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(heard, [{ kind: 'spec' }]);
    } finally {
      await s.stop();
    }
  });

  it('answers the requests it took before a graceful stop returns', async () => {
    const s = await started();
    const answer = s.bus.request(ROUTE.slow, {});
    await new Promise((r) => setTimeout(r, 50));
    const closing = s.app.close();
    assert.equal(await answer, 'finished');
    await closing;
    s.mux.close();
    await Promise.all([s.server.close(), s.client.close()]);
  });

  it('answers an Observable as NestJS does: one value or the last one marked isDisposed, nothing but isDisposed for an empty one', async () => {
    const s = await started();
    try {
      assert.deepEqual(await repliesTo(s.client, SUBJECT.observed, request(SUBJECT.observed, 'o'), 150), [{ body: '{"response":"one value","isDisposed":true,"id":"o"}', working: false }]);
      assert.deepEqual((await repliesTo(s.client, SUBJECT.stream, request(SUBJECT.stream, 's'), 150)).map((r) => r.body), [
        '{"response":1,"id":"s"}',
        '{"response":2,"id":"s"}',
        '{"response":3,"isDisposed":true,"id":"s"}',
      ]);
      assert.deepEqual((await repliesTo(s.client, SUBJECT.none, request(SUBJECT.none, 'n'), 150)).map((r) => r.body), ['{"isDisposed":true,"id":"n"}']);
    } finally {
      await s.stop();
    }
  });

  it('tells the caller of a slow request every 100 ms that it works on it, then answers once', async () => {
    const s = await started();
    try {
      const got = await repliesTo(s.client, SUBJECT.slow, request(SUBJECT.slow, 'w'), 250, true);
      const beats = got.filter((r) => r.working);
      // One beat per 100 ms tick from 100 ms after arrival: 4 in 500 ms on a quiet
      // machine; the shared timer's phase and a loaded CI host can cost one or two,
      // never all of them, and none may follow the answer.
      assert.ok(beats.length >= 2 && beats.length <= 5, `${beats.length} working messages in ${SLOW_MS} ms`);
      assert.ok(beats.every((b) => b.body === ''));
      assert.equal(got.at(-1)?.working, false, 'the answer is the last message');
      assert.deepEqual(got.filter((r) => !r.working).map((r) => r.body), ['{"response":"finished","isDisposed":true,"id":"w"}']);
    } finally {
      await s.stop();
    }
  });

  it('hands someone else\'s JSON to the event handler whole, and survives a message that is not JSON', async () => {
    const s = await started();
    try {
      heard.length = 0;
      s.client.publish(SUBJECT.event, JSON.stringify({ kind: 'raw' }));
      assert.deepEqual(await repliesTo(s.client, SUBJECT.value, 'not json', 100), []);
      for (let i = 0; i < 50 && heard.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(heard, [{ kind: 'raw' }]);
      assert.equal((await s.bus.request(ROUTE.value, { n: 1 })).doubled, 2);
    } finally {
      await s.stop();
    }
  });

  it('shares requests with the other replicas of its queue group: each is handled once', async () => {
    const s = await started();
    const other = await connect({ servers: NATS_URL! });
    const replica = await NestFactory.createMicroservice(SpecModule, { strategy: new SharedNatsServer(other, 'spec'), logger: false });
    try {
      await replica.listen();
      await other.flush();
      counted = 0;
      await Promise.all(Array.from({ length: 40 }, () => s.bus.request(ROUTE.counted, {})));
      assert.equal(counted, 40);
    } finally {
      await replica.close();
      await other.close();
      await s.stop();
    }
  });
});
