import { createHash } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import { DiscardPolicy, jetstream, jetstreamManager, JetStreamApiCodes, JetStreamApiError, StorageType, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { ensureKvBucket, kvStreamName } from './jetstream-kv-bucket.js';
import { WindowCountContended, WindowCounterStore, type WindowCount } from './window-counter.store.js';

/** Bytes the bucket may hold; past it the oldest counts go first (an undercount: the limit fails open, never shut). */
const MAX_BYTES = 64 * 1024 * 1024;
/** Compare-and-set rounds before an addition gives up (each lost round means another writer wrote in between). */
const ROUNDS = 12;
/** A lost round waits up to this many ms times its number (random), so racing writers spread out. */
const BACKOFF_MS = 2;
const TIMEOUT_MS = 2000;

/**
 * Window counts in a JetStream key-value bucket (the stream layout of a NATS
 * KV bucket, readable with `nats kv`): one key per counter, window and
 * (hashed) key, holding the count as decimal text. An addition reads the
 * key's last value and (unless the sum passes the ceiling) writes the sum with "expected last subject sequence",
 * which the server refuses when another replica wrote in between; then it
 * reads again (NATS 2.9 has no atomic increment). Memory storage, one copy:
 * counts are worth a window, and a lost bucket only forgets them.
 */
export class JetStreamWindowCounterStore extends WindowCounterStore {
  private readonly logger = new Logger('WindowCounterStore');
  private readonly js: JetStreamClient;
  private manager?: Promise<JetStreamManager>;
  private ready?: Promise<void>;
  private readonly encoder = new TextEncoder();

  /** `maxAgeSeconds`: how long a count is kept (at least its window); `connected`: whether the connection is up now (else fail at once). */
  constructor(
    private readonly connection: NatsConnection,
    private readonly bucket: string,
    private readonly maxAgeSeconds: number,
    private readonly connected: () => boolean = () => !connection.isClosed(),
  ) {
    super();
    this.js = jetstream(connection, { timeout: TIMEOUT_MS });
  }

  private get stream(): string {
    return kvStreamName(this.bucket);
  }

  private jsm(): Promise<JetStreamManager> {
    this.manager ??= jetstreamManager(this.connection, { timeout: TIMEOUT_MS }).catch((err: unknown) => {
      this.manager = undefined;
      throw err;
    });
    return this.manager;
  }

  /** Creates the bucket when missing, or gives it the max age this window needs (idempotent across replicas). */
  private ensureBucket(): Promise<void> {
    this.ready ??= (async () => {
      const jsm = await this.jsm();
      const maxAge = nanos(this.maxAgeSeconds * 1000);
      const existing = await ensureKvBucket(jsm, this.bucket, { storage: StorageType.Memory, num_replicas: 1, max_bytes: MAX_BYTES, discard: DiscardPolicy.Old, max_age: maxAge }, this.logger);
      if (existing && existing.config.max_age !== maxAge) {
        // A changed window: keep counts as long as it needs; a refusal (permissions) still leaves a usable bucket.
        await jsm.streams.update(this.stream, { max_age: maxAge }).catch((err: unknown) => this.logger.warn(`key-value bucket ${this.bucket}: max age not updated: ${err instanceof Error ? err.message : String(err)}`));
      }
    })().catch((err: unknown) => {
      this.ready = undefined;
      throw err;
    });
    return this.ready;
  }

  async add(counter: string, key: string, windowStartMs: number, delta: number, ceiling = Number.POSITIVE_INFINITY): Promise<WindowCount> {
    if (!this.connected()) throw new Error('NATS is not connected');
    await this.ensureBucket();
    const jsm = await this.jsm();
    // KV keys allow [-/_=.a-zA-Z0-9]: hash the key (a client id, an address) into that alphabet.
    const subject = `$KV.${this.bucket}.${counter}.${Math.floor(windowStartMs / 1000)}.${createHash('sha256').update(key).digest('base64url')}`;
    for (let round = 0; round < ROUNDS; round++) {
      const last = await jsm.streams.getMessage(this.stream, { last_by_subj: subject });
      const before = last ? Number(last.string()) || 0 : 0;
      if (before + delta > ceiling) return { count: before, added: false };
      try {
        await this.js.publish(subject, this.encoder.encode(String(before + delta)), { expect: { lastSubjectSequence: last?.seq ?? 0 } });
        return { count: before + delta, added: true };
      } catch (err: unknown) {
        if (!(err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamWrongLastSequence)) throw err;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.random() * BACKOFF_MS * (round + 1)));
    }
    throw new WindowCountContended(counter);
  }
}
