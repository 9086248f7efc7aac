// The event contract (issue #19): docs/asyncapi.yaml is generated from the
// TypeScript types of libs/contracts/src/events.ts (tools/event-contract.mjs);
// this checks that the committed document is exactly what the types say
// today, that it names every event type the code publishes, and that every
// schema in it compiles. test/e2e/event-contract.test.ts checks the events
// the suite really produced against it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Ajv2020 from 'ajv/dist/2020.js';
import { parse as parseYaml } from 'yaml';
import { EVENT_TYPES } from '../../libs/contracts/src/events.js';

const root = process.cwd();

interface AsyncApi {
  asyncapi: string;
  channels: Record<string, { address: string; messages: Record<string, { $ref: string }> }>;
  components: { messages: Record<string, { name: string; payload: { $ref: string } }>; schemas: Record<string, object> };
}

describe('event contract: docs/asyncapi.yaml (AsyncAPI 3) generated from libs/contracts', () => {
  const text = readFileSync(join(root, 'docs/asyncapi.yaml'), 'utf8');
  const doc = parseYaml(text) as AsyncApi;

  it('is exactly what tools/event-contract.mjs makes of the TypeScript types (regenerate it when they change)', async () => {
    const tool = (await import(join(root, 'tools/event-contract.mjs'))) as { asyncApiYaml: () => string };
    assert.ok(tool.asyncApiYaml() === text, 'docs/asyncapi.yaml is stale: run node tools/event-contract.mjs');
  });

  it('has a channel, a message and a schema for every event type the code publishes, on the documented subject', () => {
    assert.equal(doc.asyncapi, '3.0.0');
    const named = Object.values(doc.components.messages).map((m) => m.name).sort();
    assert.deepEqual(named, [...EVENT_TYPES].sort());
    for (const type of EVENT_TYPES) {
      const key = type.replace(/\./g, '_');
      assert.equal(doc.channels[key]?.address, `{prefix}.events.v1.${type}`, type);
      assert.equal(doc.components.messages[key]?.payload.$ref, `#/components/schemas/${key}`, type);
    }
  });

  it('every schema compiles, and a schema refuses what the type forbids', () => {
    const ajv = new Ajv2020.default({ strict: false, allErrors: true });
    ajv.addSchema({ $id: 'asyncapi', components: doc.components } as object);
    for (const key of Object.keys(doc.components.schemas)) assert.ok(ajv.getSchema(`asyncapi#/components/schemas/${key}`), key);
    const validate = ajv.getSchema('asyncapi#/components/schemas/grant_revoked')!;
    const good = {
      id: '4b8f5e0c-2d0e-4a8e-9a53-2f8d4b8d7c11',
      type: 'grant.revoked',
      version: 1,
      occurred_at: '2026-12-07T19:00:00.000Z',
      source: 'authorization',
      data: { grant_id: 'g', client_id: 'c', user_id: 'u', reason: 'admin', revoked_at: 1_796_670_000, actor: 'user:u-1' },
    };
    assert.equal(validate(good), true, JSON.stringify(validate.errors));
    for (const [what, bad] of [
      ['an unknown reason', { ...good, data: { ...good.data, reason: 'whim' } }],
      ['revoked_at as a date string', { ...good, data: { ...good.data, revoked_at: '2026-12-07T19:00:00Z' } }],
      ['a field the type does not declare', { ...good, data: { ...good.data, password: 'x' } }],
      ['no grant_id', { ...good, data: { ...good.data, grant_id: undefined } }],
      ['another type under this schema', { ...good, type: 'grant.created' }],
    ] as const) {
      assert.equal(validate(JSON.parse(JSON.stringify(bad))), false, what);
    }
  });
});
