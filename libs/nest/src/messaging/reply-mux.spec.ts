import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect, headers } from '@nats-io/transport-node';
import { ReplyMux } from './reply-mux.js';
import { NoResponders, ReplyTimeout, RequesterClosed, ResponderLost } from './transport-errors.js';
import { WORKING_HEADER } from './working-heartbeat.js';

const NATS_URL = process.env.NATS_URL;
const decoder = new TextDecoder();

describe('ReplyMux: request/reply on one reply subscription', { skip: NATS_URL ? false : 'needs NATS_URL (a real nats-server)' }, () => {
  it('matches every reply to its request, concurrent ones included, and carries headers', async () => {
    const subject = `mux.echo.${process.pid}.${Date.now()}`;
    const server = await connect({ servers: NATS_URL! });
    const client = await connect({ servers: NATS_URL! });
    try {
      // Answers out of order: the later request first.
      server.subscribe(subject, {
        callback: (_err, msg) => {
          const n = Number(decoder.decode(msg.data));
          setTimeout(() => msg.respond(`${n}:${msg.headers?.get('x-request-id') ?? ''}`), (20 - n) * 2);
        },
      });
      await server.flush();
      const mux = new ReplyMux(client);
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) => {
          const h = headers();
          h.set('x-request-id', `r${i}`);
          return mux.request(subject, String(i), { timeoutMs: 2000, headers: h });
        }),
      );
      assert.deepEqual(answers.map((m) => decoder.decode(m.data)), Array.from({ length: 20 }, (_, i) => `${i}:r${i}`));
      mux.close();
    } finally {
      await Promise.all([server.close(), client.close()]);
    }
  });

  it('fails at once with NoResponders when nothing subscribes', async () => {
    const client = await connect({ servers: NATS_URL! });
    try {
      const mux = new ReplyMux(client);
      const started = Date.now();
      await assert.rejects(mux.request(`mux.nobody.${process.pid}.${Date.now()}`, 'x', { timeoutMs: 5000 }), NoResponders);
      assert.ok(Date.now() - started < 2000, 'no-responders is not a timeout');
      mux.close();
    } finally {
      await client.close();
    }
  });

  it('times out a request nobody answers, and ignores the late answer', async () => {
    const subject = `mux.slow.${process.pid}.${Date.now()}`;
    const server = await connect({ servers: NATS_URL! });
    const client = await connect({ servers: NATS_URL! });
    try {
      server.subscribe(subject, { callback: (_err, msg) => void setTimeout(() => msg.respond('late'), 300) });
      await server.flush();
      const mux = new ReplyMux(client);
      const started = Date.now();
      await assert.rejects(mux.request(subject, 'x', { timeoutMs: 100 }), (err: Error) => err instanceof ReplyTimeout && err.name === 'TimeoutError');
      const waited = Date.now() - started;
      assert.ok(waited >= 100 && waited < 250, `timed out after ${waited} ms`);
      await new Promise((r) => setTimeout(r, 300)); // the late answer arrives and is dropped
      mux.close();
    } finally {
      await Promise.all([server.close(), client.close()]);
    }
  });

  it('fails what is pending when it is closed', async () => {
    const subject = `mux.never.${process.pid}.${Date.now()}`;
    const server = await connect({ servers: NATS_URL! });
    const client = await connect({ servers: NATS_URL! });
    try {
      server.subscribe(subject, { callback: () => undefined });
      await server.flush();
      const mux = new ReplyMux(client);
      const pending = mux.request(subject, 'x', { timeoutMs: 10_000 });
      await new Promise((r) => setTimeout(r, 50));
      mux.close();
      await assert.rejects(pending, RequesterClosed);
    } finally {
      await Promise.all([server.close(), client.close()]);
    }
  });

  it('fails a request whose responder goes silent within its liveness window, and keeps one that says it works', async () => {
    const silent = `mux.silent.${process.pid}.${Date.now()}`;
    const working = `mux.working.${process.pid}.${Date.now()}`;
    const server = await connect({ servers: NATS_URL! });
    const client = await connect({ servers: NATS_URL! });
    try {
      // Takes the request and never answers: a replica killed after NATS handed it the message.
      server.subscribe(silent, { callback: () => undefined });
      // Answers after 600 ms, saying every 100 ms that it works on it.
      server.subscribe(working, {
        callback: (_err, msg) => {
          const h = headers();
          h.set(WORKING_HEADER, '1');
          const beat = setInterval(() => msg.respond(new Uint8Array(0), { headers: h }), 100);
          setTimeout(() => {
            clearInterval(beat);
            msg.respond('done');
          }, 600);
        },
      });
      await server.flush();
      const mux = new ReplyMux(client);
      const started = Date.now();
      await assert.rejects(mux.request(silent, 'x', { timeoutMs: 5000, livenessMs: 300 }), ResponderLost);
      const lostAfter = Date.now() - started;
      assert.ok(lostAfter >= 300 && lostAfter < 1000, `lost after ${lostAfter} ms, not the 5 s timeout`);
      const answer = await mux.request(working, 'x', { timeoutMs: 5000, livenessMs: 300 });
      assert.equal(decoder.decode(answer.data), 'done', 'the working messages are not the answer');
      mux.close();
    } finally {
      await Promise.all([server.close(), client.close()]);
    }
  });
});
