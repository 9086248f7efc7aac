import { InProcessEventBus, type ConnectionChange, type ConnectionListener } from '#nest';

/**
 * The in-memory event bus with a connection that comes and goes: a fake of
 * the bus, for testing what follows its connection (caches that forget or
 * catch up). `change('lost' | 'resumed')` tells whoever listens to
 * `onConnectionChange`, as the NATS bus does.
 */
export class ReconnectingEventBus extends InProcessEventBus {
  private readonly watchers = new Set<ConnectionListener>();

  override onConnectionChange(listener: ConnectionListener): () => void {
    this.watchers.add(listener);
    return () => this.watchers.delete(listener);
  }

  change(change: ConnectionChange): void {
    for (const watcher of this.watchers) watcher(change);
  }
}
