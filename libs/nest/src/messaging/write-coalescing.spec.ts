import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { coalesceWrites } from './write-coalescing.js';

const NATS_URL = process.env.NATS_URL;
const decoder = new TextDecoder();

/** Counts the socket writes the connection makes (the transport's `send`), without changing them. */
function countWrites(connection: NatsConnection): () => number {
  const transport = (connection as unknown as { protocol: { transport: { send: (frame: Uint8Array) => void } } }).protocol.transport;
  const send = transport.send.bind(transport);
  let writes = 0;
  transport.send = (frame) => {
    writes++;
    send(frame);
  };
  return () => writes;
}

/** Publishes `count` messages, each in its own microtask checkpoint (as concurrent request handlers do). */
async function publishSpread(connection: NatsConnection, subject: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    connection.publish(subject, String(i));
    await Promise.resolve();
  }
}

async function receive(connection: NatsConnection, subject: string, count: number): Promise<{ got: Promise<string[]> }> {
  const sub = connection.subscribe(subject, { max: count });
  await connection.flush();
  const got = (async () => {
    const out: string[] = [];
    for await (const m of sub) out.push(decoder.decode(m.data));
    return out;
  })();
  return { got };
}

describe('coalescing NATS socket writes', { skip: NATS_URL ? false : 'needs NATS_URL (a real nats-server)' }, () => {
  it('writes what one turn of the event loop published in one socket write, in order', async () => {
    const subject = `coalesce.${process.pid}.${Date.now()}`;
    const plain = await connect({ servers: NATS_URL! });
    const coalesced = await connect({ servers: NATS_URL! });
    const reader = await connect({ servers: NATS_URL! });
    try {
      assert.equal(coalesceWrites(coalesced), true);
      const plainWrites = countWrites(plain);
      const coalescedWrites = countWrites(coalesced);

      const first = await receive(reader, `${subject}.plain`, 50);
      await publishSpread(plain, `${subject}.plain`, 50);
      await plain.flush();
      const second = await receive(reader, `${subject}.coalesced`, 50);
      const before = coalescedWrites();
      await publishSpread(coalesced, `${subject}.coalesced`, 50);
      await coalesced.flush();

      const expected = Array.from({ length: 50 }, (_, i) => String(i));
      assert.deepEqual(await first.got, expected);
      assert.deepEqual(await second.got, expected);
      // Without coalescing every message is its own write; with it, the 50 messages and the PING go out together.
      assert.ok(plainWrites() >= 50, `plain connection wrote ${plainWrites()} times`);
      assert.ok(coalescedWrites() - before <= 2, `coalescing connection wrote ${coalescedWrites() - before} times`);
    } finally {
      await Promise.all([plain.close(), coalesced.close(), reader.close()]);
    }
  });

  it('sends what is still buffered when the connection is closed without draining', async () => {
    const subject = `coalesce.close.${process.pid}.${Date.now()}`;
    const coalesced = await connect({ servers: NATS_URL! });
    const reader = await connect({ servers: NATS_URL! });
    try {
      coalesceWrites(coalesced);
      const inbox = await receive(reader, subject, 3);
      for (const n of ['a', 'b', 'c']) coalesced.publish(subject, n);
      await coalesced.close();
      assert.deepEqual(await inbox.got, ['a', 'b', 'c']);
    } finally {
      await reader.close();
    }
  });

  it('keeps request/reply working, replies included', async () => {
    const subject = `coalesce.rpc.${process.pid}.${Date.now()}`;
    const server = await connect({ servers: NATS_URL! });
    const client = await connect({ servers: NATS_URL! });
    try {
      coalesceWrites(server);
      coalesceWrites(client);
      server.subscribe(subject, { callback: (_err, msg) => void msg.respond(`re:${decoder.decode(msg.data)}`) });
      await server.flush();
      const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => client.request(subject, String(i), { timeout: 2000 })));
      assert.deepEqual(answers.map((m) => decoder.decode(m.data)), Array.from({ length: 20 }, (_, i) => `re:${i}`));
    } finally {
      await Promise.all([server.close(), client.close()]);
    }
  });
});
