import { createServer } from 'node:net';

/**
 * Ports handed out below Linux's default ephemeral range (32768–60999): a port
 * from `listen(0)` can be taken by any outgoing connection (to PostgreSQL,
 * NATS, a fetch) between the moment it is handed out and the moment the
 * service binds it, which under CI load made a suite fail to start with
 * EADDRINUSE. Outgoing connections never use ports from this range.
 */
const FIRST = 20_000;
const LAST = 32_000;
const handedOut = new Set<number>();

function tryListen(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : undefined;
      server.close(() => resolve(bound));
    });
  });
}

/** A TCP port on 127.0.0.1 that was free a moment ago, not handed out before by this process. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const candidate = FIRST + Math.floor(Math.random() * (LAST - FIRST));
    if (handedOut.has(candidate)) continue;
    handedOut.add(candidate); // reserved before the await, so concurrent calls never pick it too
    if ((await tryListen(candidate)) === candidate) return candidate;
    handedOut.delete(candidate);
  }
  const port = await tryListen(0);
  if (port === undefined) throw new Error('no free TCP port on 127.0.0.1');
  return port;
}
