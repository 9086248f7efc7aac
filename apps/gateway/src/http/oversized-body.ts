import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';

/** Bytes of an over-limit body read and thrown away before the 413 is sent; past that the connection is just closed. */
export const DISCARD_MAX_BYTES = 16 * 1024 * 1024;
/** How long an over-limit body is read and thrown away at most. */
export const DISCARD_MAX_MS = 10_000;

/** Reads `payload` to its end (or `maxBytes`, or `maxMs`), keeping nothing. Resolves with the bytes read. */
export function discard(payload: Readable, maxBytes: number, maxMs: number): Promise<number> {
  return new Promise((resolve) => {
    let read = 0;
    const done = () => {
      clearTimeout(timer);
      payload.removeListener('data', onData);
      payload.removeListener('end', done);
      payload.removeListener('error', done);
      payload.removeListener('close', done);
      resolve(read);
    };
    const onData = (chunk: Buffer) => {
      read += chunk.length;
      if (read > maxBytes) done();
    };
    const timer = setTimeout(done, maxMs);
    timer.unref();
    payload.on('data', onData).once('end', done).once('error', done).once('close', done);
    payload.resume();
  });
}

/**
 * A body over `BODY_LIMIT_BYTES` is `413` with `Connection: close` (Fastify's
 * own answer, rendered by the OAuth error filter). Sent while the client is
 * still writing the body, that answer is followed by the server closing a
 * socket with unread data, which TCP turns into a reset: the client loses
 * the 413 it had not read yet (RFC 9112 §9.6: a server "SHOULD NOT"
 * close "while it is likely that the client is still sending"; nginx and
 * Apache linger for this). So a body whose declared length is over the limit
 * is read and thrown away first (at most DISCARD_MAX_BYTES and
 * DISCARD_MAX_MS, nothing kept), then answered and closed cleanly.
 * A chunked body has no declared length: Fastify stops it as soon as it
 * passes the limit, as before.
 */
export function installOversizedBodyDiscard(fastify: FastifyInstance, limit: number): void {
  // A callback hook, not an async one: no promise per request on the token path.
  fastify.addHook('preParsing', (req: FastifyRequest, _reply: FastifyReply, payload: Readable, done: (err: Error | null, stream?: Readable) => void) => {
    const declared = Number(req.headers['content-length']);
    if (!(declared > limit)) return done(null, payload);
    // Fastify's body reader compares the declared length with the limit before it reads: it then answers 413 at once.
    void discard(payload, DISCARD_MAX_BYTES, DISCARD_MAX_MS).then(() => done(null, payload));
  });
}
