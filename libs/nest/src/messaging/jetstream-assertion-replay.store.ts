import { createHash } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import { DiscardPolicy, jetstream, jetstreamManager, JetStreamApiCodes, JetStreamApiError, StorageType, type JetStreamClient } from '@nats-io/jetstream';
import { ensureKvBucket } from './jetstream-kv-bucket.js';
import { AssertionReplayStore } from './assertion-replay.store.js';

/**
 * Longest time a key must be remembered: assertions live at most five
 * minutes (SMART Backend Services), plus clock skew, with margin.
 */
export const ASSERTION_REPLAY_TTL_SECONDS = 600;

/**
 * The replay store as a JetStream key-value bucket (the stream layout of a
 * NATS KV bucket, so `nats kv` tools can read it): a key is written with
 * "expected last subject sequence 0", which the server refuses when the key
 * is already there (the KV `create` operation). Entries expire with the
 * bucket's max age, which outlives every acceptable assertion.
 */
export class JetStreamAssertionReplayStore extends AssertionReplayStore {
  private readonly logger = new Logger('AssertionReplayStore');
  private readonly js: JetStreamClient;
  private ready?: Promise<void>;

  constructor(
    private readonly connection: NatsConnection,
    private readonly bucket: string,
  ) {
    super();
    this.js = jetstream(connection);
  }

  /** Creates the bucket's stream when missing (idempotent across replicas). */
  private ensureBucket(): Promise<void> {
    this.ready ??= (async () => {
      const jsm = await jetstreamManager(this.connection);
      await ensureKvBucket(
        jsm,
        this.bucket,
        { storage: StorageType.File, discard: DiscardPolicy.New, max_age: nanos(ASSERTION_REPLAY_TTL_SECONDS * 1000), duplicate_window: nanos(60_000) },
        this.logger,
      );
    })().catch((err: unknown) => {
      this.ready = undefined;
      throw err;
    });
    return this.ready;
  }

  async firstUse(key: string, _expiresAt: number): Promise<boolean> {
    await this.ensureBucket();
    // KV keys allow [-/_=.a-zA-Z0-9]: hash the (arbitrary) value into that alphabet.
    const digest = createHash('sha256').update(key).digest('base64url');
    try {
      await this.js.publish(`$KV.${this.bucket}.${digest}`, new Uint8Array(), { expect: { lastSubjectSequence: 0 }, timeout: 5000 });
      return true;
    } catch (err: unknown) {
      if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamWrongLastSequence) return false;
      throw err;
    }
  }
}
