import type { NatsConnection } from '@nats-io/transport-node';

/**
 * The part of nats.js's protocol handler this relies on: everything the
 * client sends (PUB, HPUB, SUB, PING, …) is appended to one outbound buffer
 * in order, and `flushPending` writes that buffer to the socket.
 */
interface OutboundProtocol {
  flushPending: () => void;
  close: (err?: Error) => Promise<void>;
}

function protocolOf(connection: NatsConnection): OutboundProtocol | undefined {
  const protocol = (connection as unknown as { protocol?: Partial<OutboundProtocol> }).protocol;
  return typeof protocol?.flushPending === 'function' && typeof protocol.close === 'function' ? (protocol as OutboundProtocol) : undefined;
}

/**
 * One socket write per turn of the event loop instead of one per message.
 *
 * nats.js writes its outbound buffer at the end of the microtask queue, so
 * a service answering many concurrent requests, whose work completes in
 * separate callbacks, made one `write` system call per message (about a
 * tenth of the token service's CPU, and as much again in the NATS server
 * reading them). Deferring the write to `setImmediate` sends everything one
 * turn of the loop produced in a single write. Order is kept exactly: the
 * buffer is the same, only written later in the same turn (at most the rest
 * of the turn's I/O callbacks later).
 *
 * nats.js does not expose this as an option; when its protocol handler does
 * not have the shape relied on, nothing is changed and false is returned
 * (the caller logs a warning). `package.json` pins `@nats-io/transport-node`
 * to patch releases (`~3.4.0`) so a minor release cannot change it unseen.
 */
export function coalesceWrites(connection: NatsConnection): boolean {
  const protocol = protocolOf(connection);
  if (!protocol) return false;
  const write = protocol.flushPending.bind(protocol);
  const close = protocol.close.bind(protocol);
  let scheduled = false;
  const writeNow = () => {
    scheduled = false;
    write();
  };
  protocol.flushPending = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => scheduled && writeNow());
  };
  // Closing without draining first still sends what is buffered (nats.js asks for the write from a
  // microtask, which may not have run yet), as it would have been at the end of the microtask queue.
  protocol.close = (err?: Error) => {
    writeNow();
    return close(err);
  };
  return true;
}
