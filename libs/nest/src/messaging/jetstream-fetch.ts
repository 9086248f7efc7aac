import { nanos } from '@nats-io/transport-node';
import { AckPolicy, type ConsumerMessages, type JetStreamClient, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';

/** Longest a fetch of `expires: 1000` may take before it is considered stalled (a dropped connection). */
export const FETCH_WATCHDOG_MS = 5_000;

/** How long publishing to a stream waits for its acknowledgement. */
export const PUBLISH_TIMEOUT_MS = 5_000;

/** Most messages one fetch of an ephemeral consumer (a replay, a dead-letter listing) takes. */
export const REPLAY_BATCH_SIZE = 500;

/** An ephemeral consumer is deleted when done; the server drops it after this long if that delete is lost. */
export const REPLAY_CONSUMER_INACTIVE_MS = 30_000;

/** JetStream's answer to a publish (a PubAck, or an error). */
export interface PubAck {
  stream?: string;
  seq?: number;
  duplicate?: boolean;
  error?: { code?: number; err_code?: number; description?: string };
}

/** The messages of one fetch, or what arrived before the watchdog fired (the fetch is then stopped). */
export async function collectWithin(batch: ConsumerMessages, ms: number): Promise<JsMsg[]> {
  const received: JsMsg[] = [];
  let timer: NodeJS.Timeout | undefined;
  const watchdog = new Promise<'stalled'>((resolve) => {
    timer = setTimeout(() => resolve('stalled'), ms);
  });
  const drained = (async () => {
    for await (const m of batch) received.push(m);
    return 'done' as const;
  })();
  try {
    if ((await Promise.race([drained, watchdog])) === 'stalled') {
      batch.stop();
      throw new Error(`a fetch stalled for ${ms} ms; ${received.length} message(s) left unacknowledged for redelivery`);
    }
  } finally {
    clearTimeout(timer);
  }
  return received;
}

type EphemeralConfig = Pick<NonNullable<Parameters<JetStreamManager['consumers']['add']>[1]>, 'deliver_policy' | 'opt_start_seq' | 'opt_start_time' | 'filter_subject'>;
type Consumer = Awaited<ReturnType<JetStreamClient['consumers']['get']>>;

/**
 * Reads `stream` through an ephemeral consumer (no acknowledgements, in
 * memory, one replica) made from `config` and deleted when `read` is done;
 * `read` gets how many messages it had pending when created and the consumer.
 */
export async function readEphemeral<T>(
  jsm: JetStreamManager,
  js: JetStreamClient,
  stream: string,
  config: EphemeralConfig,
  read: (pending: number, consumer: () => Promise<Consumer>) => Promise<T>,
): Promise<T> {
  const created = await jsm.consumers.add(stream, {
    ...config,
    ack_policy: AckPolicy.None,
    inactive_threshold: nanos(REPLAY_CONSUMER_INACTIVE_MS),
    mem_storage: true,
    num_replicas: 1,
  });
  try {
    return await read(created.num_pending, () => js.consumers.get(stream, created.name));
  } finally {
    await jsm.consumers.delete(stream, created.name).catch(() => undefined);
  }
}
