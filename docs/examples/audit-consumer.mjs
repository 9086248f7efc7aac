#!/usr/bin/env node
// A tiny outside audit consumer written only from the published contract
// (docs/events.md and docs/asyncapi.yaml): a durable JetStream consumer on the
// events stream, at-least-once delivery de-duplicated on the envelope's `id`,
// unknown types and fields ignored, every event acknowledged after it was
// handled. It prints one JSON line per event; a real consumer would store it.
//
//   NATS_URL=nats://127.0.0.1:4222 SUBJECT_PREFIX=smart node docs/examples/audit-consumer.mjs [--max N]
//
// Needs `@nats-io/transport-node` and `@nats-io/jetstream` (npm).
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';

const prefix = process.env.SUBJECT_PREFIX ?? 'smart';
// docs/events.md "Stream": <SUBJECT_PREFIX uppercased>_EVENTS, subjects <prefix>.events.v1.>
const stream = `${prefix.replace(/[^A-Za-z0-9_-]/g, '_').toUpperCase()}_EVENTS`;
const durable = process.env.CONSUMER_NAME ?? 'example-audit-consumer';
const maxIndex = process.argv.indexOf('--max');
const max = maxIndex > 0 ? Number(process.argv[maxIndex + 1]) : Infinity;
/** The types this consumer understands; others are acknowledged and skipped (docs/events.md: more will be added). */
const KNOWN = /^(client|token|key|grant|login|consent|refresh_token|launch)\.[a-z_]+$/;

const nc = await connect({ servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222' });
const jsm = await jetstreamManager(nc);
await jsm.consumers.add(stream, { durable_name: durable, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, filter_subject: `${prefix}.events.v1.>` });
const consumer = await jetstream(nc).consumers.get(stream, durable);
const seen = new Set(); // a real consumer keeps this in its store, e.g. a unique index on the id
let handled = 0;
while (handled < max) {
  const batch = await consumer.fetch({ max_messages: 100, expires: 2000 });
  for await (const message of batch) {
    let event;
    try {
      event = message.json();
    } catch {
      message.term(); // not an event at all: the suite's own consumers dead-letter such messages
      continue;
    }
    if (event.version === 1 && KNOWN.test(event.type) && !seen.has(event.id)) {
      seen.add(event.id);
      // occurred_at is RFC 3339; every instant inside data is seconds since the epoch.
      console.log(JSON.stringify({ id: event.id, type: event.type, occurred_at: event.occurred_at, source: event.source, request_id: event.request_id ?? null, data: event.data }));
      handled++;
    }
    message.ack();
    if (handled >= max) break;
  }
}
await nc.drain();
