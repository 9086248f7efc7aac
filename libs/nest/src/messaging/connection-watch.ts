import { Logger } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import type { ConnectionChange, ConnectionListener } from './event-bus.js';

/** How long the round trip that confirms a reconnection may take before it is tried again. */
const RESUME_FLUSH_TIMEOUT_MS = 2_000;

/**
 * Whether the process's NATS connection is up, and who is told when it is
 * `lost` and `resumed` (docs/architecture.md, Caches kept by events).
 */
export class ConnectionWatch {
  private readonly logger = new Logger('NatsEventBus');
  private readonly listeners = new Set<ConnectionListener>();
  private connected = true;
  /** Counts connection changes, so a confirmation of a reconnection that was lost again meanwhile is dropped. */
  private epoch = 0;

  constructor(private readonly connection: NatsConnection) {
    void this.watchStatus();
  }

  /**
   * Whether the connection is up now. While it is down (the client
   * reconnects by itself, without limit), requests fail at once with 503
   * instead of waiting for their timeout, and health reports the broker down.
   */
  get isConnected(): boolean {
    return this.connected && !this.connection.isClosed();
  }

  private async watchStatus(): Promise<void> {
    for await (const status of this.connection.status()) {
      if (status.type === 'disconnect') {
        this.epoch++;
        if (this.connected) {
          this.logger.warn(`NATS connection lost (${status.server}); reconnecting`);
          this.connected = false;
          this.tell('lost');
        }
      } else if (status.type === 'reconnect') {
        this.logger.log(`NATS connection back (${status.server})`);
        this.connected = true;
        void this.confirmResumed(++this.epoch);
      }
    }
  }

  /**
   * nats.js sends this connection's subscriptions again before it reports
   * the reconnection; one round trip (PING/PONG, answered in order) proves
   * the server has them, so every event published from then on reaches this
   * process. Only then are listeners told `resumed`, so that what they
   * reload afterwards leaves no gap with what the subscriptions deliver.
   */
  private async confirmResumed(epoch: number): Promise<void> {
    while (epoch === this.epoch && !this.connection.isClosed()) {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          this.connection.flush(),
          new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('no PONG')), RESUME_FLUSH_TIMEOUT_MS))),
        ]);
        if (epoch === this.epoch) this.tell('resumed');
        return;
      } catch {
        // Lost again (the next reconnection confirms itself) or slow: try again while this epoch lasts.
      } finally {
        clearTimeout(timer);
      }
    }
  }

  private tell(change: ConnectionChange): void {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch (err: unknown) {
        this.logger.error(`a listener of connection changes failed on ${change}: ${(err as Error).message}`);
      }
    }
  }

  onConnectionChange(listener: ConnectionListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** No more telling (the bus is closing). */
  clear(): void {
    this.listeners.clear();
  }
}
