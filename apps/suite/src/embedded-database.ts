import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { join } from 'node:path';

/** One protocol message waiting in pglite-socket's shared queue (its internal shape, 0.2.x). */
interface QueuedMessage {
  handlerId: number;
  message: Uint8Array;
  resolve(bytes: number): void;
  reject(err: unknown): void;
  onData(data: Uint8Array): void;
}

interface SharedQueryQueue {
  queue: QueuedMessage[];
  processing: boolean;
  lastHandlerId: number | null;
  db: PGlite;
  processQueue(): Promise<void>;
  clearQueueForHandler(handlerId: number): void;
}

/** Frontend message types that end an extended-protocol cycle or the session: Sync, simple Query, Terminate. */
const CYCLE_ENDS = new Set([0x53, 0x51, 0x58]);

/**
 * pglite-socket runs every connection's messages through one PGlite session
 * and keeps a transaction's statements together, but it interleaves the
 * messages of extended-protocol cycles (Parse/Bind/Describe/Execute … Sync)
 * from different connections, so two services querying at once could read
 * each other's answers; and one failed message stopped the queue for good.
 * This replaces the queue's scheduler: a connection that started a cycle (or
 * a transaction) keeps the session until its Sync (or COMMIT/ROLLBACK), and
 * a failure only fails its own message.
 */
function serialiseProtocolCycles(server: PGLiteSocketServer): void {
  const queue = (server as unknown as { queryQueue: SharedQueryQueue }).queryQueue;
  if (!queue || !Array.isArray(queue.queue) || typeof queue.processQueue !== 'function') {
    throw new Error('unexpected pglite-socket internals: cannot make the embedded database safe for concurrent connections');
  }
  let pinned: number | null = null;
  const clear = queue.clearQueueForHandler.bind(queue);
  queue.clearQueueForHandler = (handlerId: number) => {
    if (pinned === handlerId) pinned = null;
    clear(handlerId);
  };
  queue.processQueue = async function processQueue(this: SharedQueryQueue): Promise<void> {
    if (this.processing || this.queue.length === 0) return;
    this.processing = true;
    try {
      while (this.queue.length > 0) {
        const owner = this.db.isInTransaction() && this.lastHandlerId !== null ? this.lastHandlerId : pinned;
        let item: QueuedMessage | undefined;
        if (owner !== null) {
          const index = this.queue.findIndex((q) => q.handlerId === owner);
          if (index === -1) break; // the owner's next message will restart the queue
          item = this.queue.splice(index, 1)[0];
        } else {
          item = this.queue.shift();
        }
        if (!item) break;
        const type = item.message[0] ?? 0;
        let bytes = 0;
        try {
          await this.db.runExclusive(() => this.db.execProtocolRawStream(item.message, { onRawData: (data: Uint8Array) => {
            bytes += data.length;
            item.onData(data);
          } }));
        } catch (err: unknown) {
          pinned = null;
          item.reject(err);
          continue;
        }
        // A startup message (no type byte) never pins; Sync, Query and Terminate release.
        pinned = type === 0 || CYCLE_ENDS.has(type) ? null : item.handlerId;
        this.lastHandlerId = item.handlerId;
        item.resolve(bytes);
      }
    } finally {
      this.processing = false;
    }
  };
}

/**
 * PostgreSQL for the embedded development mode: PGlite (Postgres compiled to
 * WebAssembly) kept in the data folder, served on a loopback port so the
 * normal `pg` driver, TypeORM and the very same migrations are used.
 */
export class EmbeddedDatabase {
  private constructor(
    private readonly db: PGlite,
    private readonly server: PGLiteSocketServer,
    readonly url: string,
  ) {}

  static async start(dataDir: string): Promise<EmbeddedDatabase> {
    const db = await PGlite.create(join(dataDir, 'pgdata'));
    const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 32 });
    serialiseProtocolCycles(server);
    await server.start();
    const address = server.getServerConn();
    return new EmbeddedDatabase(db, server, `postgres://postgres@${address}/postgres?sslmode=disable`);
  }

  async stop(): Promise<void> {
    await this.server.stop().catch(() => undefined);
    await this.db.close().catch(() => undefined);
  }
}
