// The event contract, checked against what the suite really published (issue
// #19): every event the end-to-end tests caused, as the audit service stored
// it, must validate against its schema in docs/asyncapi.yaml (generated from
// libs/contracts/src/events.ts). tools/run-tests.mjs runs this file after all
// the others, so the shared suite's trail holds what they did.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Ajv2020 from 'ajv/dist/2020.js';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';
import { parse as parseYaml } from 'yaml';
import { sharedSuite, type RunningSuite } from '#testing';

interface StoredEvent {
  type: string;
  envelope: Record<string, unknown>;
}

describe('event contract: every event the suite published validates against docs/asyncapi.yaml', () => {
  let suite: RunningSuite & { owned: boolean };
  let db: pg.Client | undefined;

  before(async () => {
    suite = await sharedSuite();
  });
  after(async () => {
    await db?.end();
    if (suite?.owned) await suite.stop();
  });

  it('validates each stored event of each type against the schema of its type', async (t) => {
    if (!suite.databaseUrl) return t.skip('needs the shared suite’s database (NATS_URL and DATABASE_URL)');
    const doc = parseYaml(readFileSync(join(process.cwd(), 'docs/asyncapi.yaml'), 'utf8')) as { components: { schemas: Record<string, object> } };
    const ajv = new Ajv2020.default({ strict: false, allErrors: true });
    // The two formats the document uses, checked strictly (RFC 4122 UUID v4; RFC 3339 date-time as Date#toISOString writes it).
    ajv.addFormat('uuid', /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
    ajv.addSchema({ $id: 'asyncapi', components: doc.components } as object);
    db = new pg.Client({ connectionString: suite.databaseUrl });
    await db.connect();
    // What the suite's services published; the dead-letter tests also put hand-made events of their own on the stream.
    const { rows } = await db.query<StoredEvent>(`SELECT type, data AS envelope FROM audit_event WHERE source IN ('authorization', 'registration', 'token', 'introspection', 'jwks') ORDER BY seq`);
    assert.ok(rows.length > 0, 'the suite published events');
    const problems: string[] = [];
    const seen = new Map<string, number>();
    for (const { type, envelope } of rows) {
      seen.set(type, (seen.get(type) ?? 0) + 1);
      const validate = ajv.getSchema(`asyncapi#/components/schemas/${type.replace(/\./g, '_')}`);
      if (!validate) {
        problems.push(`${type}: no schema`);
        continue;
      }
      if (!validate(envelope) && problems.length < 20) problems.push(`${type} ${JSON.stringify(envelope).slice(0, 300)}: ${ajv.errorsText(validate.errors)}`);
    }
    console.log(`# ${rows.length} events of ${seen.size} types: ${JSON.stringify(Object.fromEntries(seen))}`);
    assert.deepEqual(problems, []);
  });

  it('the example consumer in docs/examples, written only from the contract, reads the stream: each line it prints is an event its schema accepts', async (t) => {
    const { NATS_URL: natsUrl, SUBJECT_PREFIX: prefix } = suite.env;
    if (!natsUrl || !prefix) return t.skip('needs the shared suite’s NATS (NATS_URL and DATABASE_URL)');
    const doc = parseYaml(readFileSync(join(process.cwd(), 'docs/asyncapi.yaml'), 'utf8')) as { components: { schemas: Record<string, object> } };
    const ajv = new Ajv2020.default({ strict: false, allErrors: true });
    ajv.addSchema({ $id: 'asyncapi', components: doc.components } as object);
    const consumerName = `example-${Date.now()}`;
    const output = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ['docs/examples/audit-consumer.mjs', '--max', '5'], { env: { ...process.env, NATS_URL: natsUrl, SUBJECT_PREFIX: prefix, CONSUMER_NAME: consumerName }, timeout: 30_000 }, (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
      ),
    );
    const nc = await connect({ servers: natsUrl });
    try {
      const jsm = await jetstreamManager(nc);
      await jsm.consumers.delete(`${prefix.replace(/[^A-Za-z0-9_-]/g, '_').toUpperCase()}_EVENTS`, consumerName);
    } finally {
      await nc.close();
    }
    const lines = output.trim().split('\n').map((l) => JSON.parse(l) as { id: string; type: string; data: unknown });
    assert.equal(lines.length, 5);
    assert.equal(new Set(lines.map((l) => l.id)).size, 5, 'de-duplicated on id');
    for (const line of lines) {
      const validate = ajv.getSchema(`asyncapi#/components/schemas/${line.type.replace(/\./g, '_')}_data`);
      assert.ok(validate, line.type);
      assert.equal(validate(line.data), true, `${line.type}: ${ajv.errorsText(validate.errors)}`);
    }
  });
});
