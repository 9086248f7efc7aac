#!/usr/bin/env node
// Container probe for the services that have no HTTP port (all but the
// gateway): `node tools/healthcheck.mjs <service> ready|live`.
//
// It asks the service's `<SUBJECT_PREFIX>.<service>.v1.health` handler over
// NATS, in NestJS's wire format. NATS hands the request to one replica of the
// queue group, not necessarily this pod: the answer is about the service,
// not about this container, until services get their own management port.
//   ready: exit 0 only when a replica reports its database and broker "ok".
//   live:  exit 1 only when NATS answers but no replica of the service does
//          (a wedged service); when NATS itself is unreachable the probe
//          cannot judge and passes, so a NATS outage never restarts pods.
import { randomUUID } from 'node:crypto';
import { connect } from '@nats-io/transport-node';

const [service, mode = 'ready'] = process.argv.slice(2);
if (!service || !['ready', 'live'].includes(mode)) {
  console.error('usage: healthcheck.mjs <service> ready|live');
  process.exit(2);
}
const prefix = (process.env.SUBJECT_PREFIX ?? 'smart').trim() || 'smart';
const subject = `${prefix}.${service}.v1.health`;
const timeout = Number(process.env.HEALTHCHECK_TIMEOUT_MS ?? 2000);

let nc;
try {
  nc = await connect({ servers: (process.env.NATS_URL ?? '').split(','), timeout, reconnect: false, name: `healthcheck-${service}` });
} catch (err) {
  console.error(`NATS unreachable: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(mode === 'live' ? 0 : 1);
}
let code = 1;
try {
  const msg = await nc.request(subject, JSON.stringify({ pattern: subject, data: {}, id: randomUUID() }), { timeout });
  const report = JSON.parse(new TextDecoder().decode(msg.data)).response;
  console.log(JSON.stringify(report));
  code = mode === 'live' || report?.status === 'ok' ? 0 : 1;
} catch (err) {
  console.error(`${subject}: ${err instanceof Error ? err.message : String(err)}`);
} finally {
  await nc.close().catch(() => undefined);
}
process.exit(code);
