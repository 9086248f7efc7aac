import type { Logger } from '@nestjs/common';
import { RetentionPolicy, type JetStreamManager, type StreamConfig, type StreamInfo } from '@nats-io/jetstream';

/** The stream behind a NATS key-value bucket (the layout `nats kv` reads). */
export function kvStreamName(bucket: string): string {
  return `KV_${bucket}`;
}

/**
 * Creates the stream of key-value bucket `bucket` when it is missing, with
 * the KV layout (one subject per key, rollups, no deletes, direct gets) and
 * `config` (storage, discard, age and size limits); idempotent across
 * replicas that start together: when the add fails, a stream another replica
 * made is good enough. Returns the stream as it was found, when it was there.
 */
export async function ensureKvBucket(jsm: JetStreamManager, bucket: string, config: Partial<StreamConfig>, logger: Logger): Promise<StreamInfo | undefined> {
  const name = kvStreamName(bucket);
  const existing = await jsm.streams.info(name).catch(() => undefined);
  if (existing) return existing;
  try {
    await jsm.streams.add({
      name,
      subjects: [`$KV.${bucket}.>`],
      retention: RetentionPolicy.Limits,
      max_msgs_per_subject: 1,
      allow_rollup_hdrs: true,
      deny_delete: true,
      allow_direct: true,
      ...config,
    });
    logger.log(`created key-value bucket ${bucket}`);
  } catch (err: unknown) {
    await jsm.streams.info(name).catch(() => {
      throw err; // another replica did not create it either
    });
  }
  return undefined;
}
