import { connect, nanos } from '@nats-io/transport-node';
import { DiscardPolicy, jetstreamManager, RetentionPolicy, StorageType, type StreamConfig } from '@nats-io/jetstream';
import { ALL_DEAD_LETTERS_SUBJECT, ALL_EVENTS_SUBJECT, DEAD_LETTER_STREAM, EVENT_STREAM } from '#contracts';

/** Replicas and limits of the JetStream streams, from EVENTS_STREAM_* (the Helm chart's `jetstream` values). */
export type StreamSettings = { replicas: number; maxAgeSeconds: number; maxBytes: number };

/** The installation's streams: events, and the dead letters kept beside them as long. */
export const INSTALLATION_STREAMS = [
  { name: EVENT_STREAM, subjects: [ALL_EVENTS_SUBJECT] },
  { name: DEAD_LETTER_STREAM, subjects: [ALL_DEAD_LETTERS_SUBJECT] },
];

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(value) || value < min || value > max) throw new Error(`${name}: must be an integer from ${min} to ${max} (got "${raw}")`);
  return value;
}

/**
 * EVENTS_STREAM_REPLICAS (1–5, default 1: what the services create by themselves), EVENTS_STREAM_MAX_AGE_SECONDS
 * (default 30 days, 0: no limit) and EVENTS_STREAM_MAX_BYTES (default -1: no limit).
 */
export function streamSettingsFrom(env: NodeJS.ProcessEnv): StreamSettings {
  const maxAgeSeconds = integer(env, 'EVENTS_STREAM_MAX_AGE_SECONDS', 30 * 24 * 3600, 0, 100 * 365 * 24 * 3600);
  // JetStream refuses a duplicate window (two minutes here) longer than the age limit.
  if (maxAgeSeconds > 0 && maxAgeSeconds < 120) throw new Error(`EVENTS_STREAM_MAX_AGE_SECONDS: must be 0 (no limit) or at least 120 (got "${maxAgeSeconds}")`);
  return {
    replicas: integer(env, 'EVENTS_STREAM_REPLICAS', 1, 1, 5),
    maxAgeSeconds,
    maxBytes: integer(env, 'EVENTS_STREAM_MAX_BYTES', -1, -1, Number.MAX_SAFE_INTEGER),
  };
}

/**
 * Creates each stream with `settings`, or updates an existing one to them (replicas, age and size limits;
 * its subjects and everything else kept), so the services, which only create a stream that is missing,
 * find it as configured. Returns one line per stream.
 */
export async function provisionStreams(servers: string, settings: StreamSettings, streams: ReadonlyArray<{ name: string; subjects: string[] }> = INSTALLATION_STREAMS): Promise<string[]> {
  const connection = await connect({ servers: servers.split(',').map((s) => s.trim()), name: 'smart-auth-migrate', timeout: 5000 });
  const lines: string[] = [];
  try {
    const jsm = await jetstreamManager(connection);
    const limits = { num_replicas: settings.replicas, max_age: nanos(settings.maxAgeSeconds * 1000), max_bytes: settings.maxBytes };
    for (const stream of streams) {
      const existing = await jsm.streams.info(stream.name).catch(() => undefined);
      if (existing) {
        const config: StreamConfig = { ...existing.config, ...limits };
        await jsm.streams.update(stream.name, config);
        lines.push(`stream ${stream.name}: updated (replicas ${settings.replicas}, max age ${settings.maxAgeSeconds} s, max bytes ${settings.maxBytes})`);
      } else {
        await jsm.streams.add({
          name: stream.name,
          subjects: stream.subjects,
          retention: RetentionPolicy.Limits,
          storage: StorageType.File,
          discard: DiscardPolicy.Old,
          duplicate_window: nanos(2 * 60 * 1000),
          ...limits,
        });
        lines.push(`stream ${stream.name}: created (replicas ${settings.replicas}, max age ${settings.maxAgeSeconds} s, max bytes ${settings.maxBytes})`);
      }
    }
  } finally {
    await connection.close();
  }
  return lines;
}
