import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { entityEventsSubject, Rpc, type ClientRecord } from '#contracts';
import { evictOldest, watchedCache } from '../caching/bounded-entries.js';
import { EventBus } from '../messaging/event-bus.js';
import { ServiceBus } from '../messaging/service-bus.js';

const POSITIVE_TTL_MS = 5 * 60_000;
const NEGATIVE_TTL_MS = 5_000;
const MAX_ENTRIES = 10_000;

interface Entry {
  record: ClientRecord | null;
  expires: number;
}

/**
 * The token path's view of registered clients: looked up from the
 * registration service once, kept in memory, dropped when a `client.*` event
 * says the client changed. Concurrent misses share one lookup. The events of
 * a time without a broker connection are never delivered, so everything is
 * forgotten when the connection is lost and again when it is back: a client
 * deleted meanwhile is looked up afresh, never answered from memory.
 */
@Injectable()
export class ClientDirectory implements OnModuleDestroy {
  private readonly entries = watchedCache('client_directory', new Map<string, Entry>());
  private readonly inflight = new Map<string, Promise<ClientRecord | null>>();
  private readonly unsubscribe: () => void;
  private readonly unwatch: () => void;

  constructor(
    @Inject(ServiceBus) private readonly bus: ServiceBus,
    @Inject(EventBus) events: EventBus,
  ) {
    this.unsubscribe = events.subscribe(entityEventsSubject('client'), (event) => {
      const clientId = (event.data as { client_id?: unknown }).client_id;
      if (typeof clientId === 'string') this.forget(clientId);
    });
    this.unwatch = events.onConnectionChange(() => this.forgetAll());
  }

  onModuleDestroy(): void {
    this.unsubscribe();
    this.unwatch();
  }

  /** Drops every record, and every lookup under way (its answer is handed to its callers but not kept). */
  forgetAll(): void {
    this.entries.clear();
    this.inflight.clear();
  }

  forget(clientId: string): void {
    this.entries.delete(clientId);
    this.inflight.delete(clientId);
  }

  /**
   * The cached answer for a client, without a promise: the record, null for
   * a client known not to exist, undefined when nothing fresh is cached (ask
   * {@link get}). The introspection hot path uses it to stay synchronous.
   */
  peek(clientId: string): ClientRecord | null | undefined {
    const cached = this.entries.get(clientId);
    return cached && cached.expires > Date.now() ? cached.record : undefined;
  }

  async get(clientId: string): Promise<ClientRecord | null> {
    const cached = this.entries.get(clientId);
    if (cached && cached.expires > Date.now()) return cached.record;
    const pending = this.inflight.get(clientId);
    if (pending) return pending;
    const lookup = this.bus
      .request(Rpc.registration.lookup, { clientId })
      .then((record) => {
        if (this.inflight.get(clientId) === lookup) {
          if (this.entries.size >= MAX_ENTRIES && !this.entries.has(clientId)) evictOldest('client_directory', this.entries);
          this.entries.set(clientId, { record: record ?? null, expires: Date.now() + (record ? POSITIVE_TTL_MS : NEGATIVE_TTL_MS) });
        }
        return record ?? null;
      })
      .finally(() => {
        if (this.inflight.get(clientId) === lookup) this.inflight.delete(clientId);
      });
    this.inflight.set(clientId, lookup);
    return lookup;
  }
}
