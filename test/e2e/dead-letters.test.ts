import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { connect, headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import type { DeadLetter } from '#contracts';
import { sharedSuite, type RunningSuite } from '#testing';
import { bearer, call } from './support/http.js';
import { adminToken } from './support/people.js';

/**
 * Dead letters (issue #14): an event the audit consumer cannot process goes
 * to the dead-letter stream with the reason — at once when it is not JSON or
 * not a valid envelope, after MAX_DELIVER attempts when storing it keeps
 * failing — is counted in `events_dead_lettered_total`, listed by
 * `GET /admin/audit/dead-letters` and `smart-auth audit dead-letters`, and
 * never holds up the events published after it.
 */

const realInfrastructure = Boolean(process.env.NATS_URL && process.env.DATABASE_URL);
const BIN = resolve('dist/apps/cli/main.js');


function sample(metrics: string, series: string): number {
  const line = metrics.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what}: not within ${ms} ms`);
}

function cli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(BIN, args, { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => done({ code, stdout, stderr }));
  });
}

describe('dead letters of the audit consumer', { skip: realInfrastructure ? false : 'needs NATS_URL and DATABASE_URL' }, () => {
  let suite: RunningSuite & { owned: boolean };
  let nc: NatsConnection;
  let js: JetStreamClient;
  let admin: string;
  let prefix: string;
  const metrics = async () => (await fetch(`${suite.managementUrl('audit')}/metrics`)).text();

  before(async () => {
    suite = await sharedSuite();
    prefix = suite.env.SUBJECT_PREFIX ?? 'smart';
    nc = await connect({ servers: suite.env.NATS_URL ?? process.env.NATS_URL! });
    js = jetstream(nc);
    admin = await adminToken(suite);
  });
  after(async () => {
    await nc?.close();
    if (suite?.owned) await suite.stop();
  });

  const envelope = (data: string, type = 'token.issued', id = randomUUID()) =>
    `{"id":"${id}","type":"${type}","version":1,"occurred_at":"${new Date().toISOString()}","source":"dead-letter-test","data":${data}}`;
  const publish = async (payload: string | Uint8Array, id: string) => {
    const h = natsHeaders();
    h.set('x-request-id', `dl-${id.slice(0, 8)}`);
    const ack = await js.publish(`${prefix}.events.v1.token.issued`, payload, { msgID: id, headers: h });
    return ack.seq;
  };
  const deadLetters = async (): Promise<DeadLetter[]> => {
    const reply = await call(suite, '/admin/audit/dead-letters?consumer=audit&limit=1000', { headers: { authorization: bearer(admin) } });
    assert.equal(reply.status, 200, reply.text);
    return reply.json.dead_letters as DeadLetter[];
  };
  const stored = async (clientId: string): Promise<boolean> => {
    const reply = await call(suite, `/admin/audit?client_id=${encodeURIComponent(clientId)}`, { headers: { authorization: bearer(admin) } });
    assert.equal(reply.status, 200, reply.text);
    return (reply.json.events as unknown[]).length > 0;
  };

  it('sets poison aside with its reason, counts it, lists it, and stores the events behind it at once', async () => {
    const before = await metrics();
    const counted = (kind: string, text: string) => sample(text, `events_dead_lettered_total{consumer="audit",kind="${kind}"}`);

    // 1. Bytes that are not JSON; 2. JSON that is no envelope (a type outside the catalogue); 3. a valid envelope the
    // store cannot take (a number JSON reads as Infinity: the hash chain's canonical JSON refuses it, on every attempt).
    const garbageId = randomUUID();
    const garbageSeq = await publish(Uint8Array.from([0xff, 0x00, 0x7b, 0x22, 0xc3, 0x28, 0x0a]), garbageId);
    const invalidId = randomUUID();
    const invalidSeq = await publish(envelope('{"client_id":"dl-invalid"}', 'no.such.type', invalidId), invalidId);
    const poisonId = randomUUID();
    const poisonSeq = await publish(envelope('{"jti":"dl-poison","client_id":"dl-poison","n":1e999}', 'token.issued', poisonId), poisonId);
    // A good event right behind them is stored promptly, not after the poison's retries.
    const goodClient = `dl-good-${randomUUID().slice(0, 8)}`;
    const goodId = randomUUID();
    const published = Date.now();
    await publish(envelope(`{"jti":"${goodId}","client_id":"${goodClient}","sub":"${goodClient}","grant_type":"client_credentials","scope":"system/Patient.rs","aud":"x","iat":1,"exp":2,"kid":"k"}`, 'token.issued', goodId), goodId);
    await eventually('the good event in the trail', async () => ((await stored(goodClient)) ? true : undefined), 5_000);
    const promptMs = Date.now() - published;
    assert.ok(promptMs < 3_000, `the good event took ${promptMs} ms`);

    // Not JSON and not an envelope: at once, one delivery.
    const early = await eventually('the garbage and the invalid envelope as dead letters', async () => {
      const letters = await deadLetters();
      const garbage = letters.find((d) => d.stream_sequence === garbageSeq);
      const invalid = letters.find((d) => d.stream_sequence === invalidSeq);
      return garbage && invalid ? { garbage, invalid } : undefined;
    }, 5_000);
    assert.equal(early.garbage.kind, 'not_json');
    assert.equal(early.garbage.deliveries, 1);
    assert.equal(early.garbage.event_id, garbageId);
    assert.equal(early.garbage.subject, `${prefix}.events.v1.token.issued`);
    assert.match(early.garbage.reason, /not JSON/);
    assert.equal(early.invalid.kind, 'invalid_envelope');
    assert.match(early.invalid.reason, /type is not in the event catalogue/);
    assert.match(early.invalid.payload, /no\.such\.type/);

    // The one the store refuses: after MAX_DELIVER (5) attempts, with the failure as the reason.
    const poison = await eventually('the unstorable envelope as a dead letter', async () => (await deadLetters()).find((d) => d.stream_sequence === poisonSeq), 30_000);
    assert.equal(poison.kind, 'max_deliver');
    assert.equal(poison.deliveries, 5);
    assert.equal(poison.consumer, 'audit');
    assert.equal(poison.event_id, poisonId);
    assert.match(poison.reason, /non-finite number/);
    assert.equal(await stored('dl-poison'), false);
    assert.equal(await stored('dl-invalid'), false);

    // Counted once each.
    const now = await metrics();
    assert.equal(counted('not_json', now) - counted('not_json', before), 1);
    assert.equal(counted('invalid_envelope', now) - counted('invalid_envelope', before), 1);
    assert.equal(counted('max_deliver', now) - counted('max_deliver', before), 1);

    // Nothing is delivered again once set aside: the consumer has no pending or unacknowledged message left.
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal((await deadLetters()).filter((d) => [garbageSeq, invalidSeq, poisonSeq].includes(d.stream_sequence)).length, 3);

    // And the trail goes on.
    const laterClient = `dl-later-${randomUUID().slice(0, 8)}`;
    const laterId = randomUUID();
    await publish(envelope(`{"jti":"${laterId}","client_id":"${laterClient}"}`, 'token.issued', laterId), laterId);
    await eventually('an event after the poison', async () => ((await stored(laterClient)) ? true : undefined), 5_000);
  });

  it('smart-auth audit dead-letters lists them (table and --json)', async () => {
    const env = { SMART_AUTH_ISSUER: suite.issuer, SMART_AUTH_CLIENT_ID: suite.adminClientId, SMART_AUTH_CLIENT_SECRET: suite.adminClientSecret };
    const table = await cli(['audit', 'dead-letters', '--consumer', 'audit'], env);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /KIND/);
    for (const kind of ['not_json', 'invalid_envelope', 'max_deliver']) assert.match(table.stdout, new RegExp(kind));
    const json = await cli(['audit', 'dead-letters', '--json', '--limit', '2'], env);
    assert.equal(json.code, 0, json.stderr);
    const page = JSON.parse(json.stdout) as { dead_letters: DeadLetter[]; next?: string };
    assert.equal(page.dead_letters.length, 2);
    assert.match(page.next ?? '', /after=/);
  });

  it('GET /admin/audit/dead-letters needs the admin scope and refuses unknown parameters', async () => {
    assert.equal((await call(suite, '/admin/audit/dead-letters')).status, 401);
    const unknown = await call(suite, '/admin/audit/dead-letters?x=1', { headers: { authorization: bearer(admin) } });
    assert.equal(unknown.status, 400, unknown.text);
  });
});
