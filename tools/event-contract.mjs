#!/usr/bin/env node
// The machine-readable event contract (issue #19): docs/asyncapi.yaml, an
// AsyncAPI 3.0 document with a JSON Schema per event type, GENERATED from the
// TypeScript types in libs/contracts/src/events.ts with the TypeScript
// compiler's type checker, so the document cannot drift from the code:
//
//   node tools/event-contract.mjs          writes docs/asyncapi.yaml
//   node tools/event-contract.mjs --check  fails if docs/asyncapi.yaml is not what the types say
//
// test/deploy/event-contract.test.ts runs the check; test/e2e/event-contract.test.ts
// validates every event the end-to-end tests produced against these schemas.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import YAML from 'yaml';

const root = process.cwd();
const EVENTS_FILE = join(root, 'libs/contracts/src/events.ts');
const OUTPUT = join(root, 'docs/asyncapi.yaml');

/** Fields that hold an instant as seconds since the epoch (the one timestamp format of `data`, as in JWTs). */
const EPOCH_SECONDS = /^(iat|exp|.*_at)$/;

/** The JSON Schema of one TypeScript type, as the checker resolves it. */
function schemaOf(checker, type, name) {
  if (type.flags & ts.TypeFlags.String) return { type: 'string' };
  if (type.flags & ts.TypeFlags.Number) return EPOCH_SECONDS.test(name) ? { type: 'integer', minimum: 0, description: 'seconds since the epoch' } : { type: 'number' };
  if (type.flags & ts.TypeFlags.Boolean) return { type: 'boolean' };
  if (type.flags & ts.TypeFlags.BooleanLiteral) return { const: checker.typeToString(type) === 'true' };
  if (type.flags & ts.TypeFlags.StringLiteral) return { const: type.value };
  if (type.flags & ts.TypeFlags.NumberLiteral) return { const: type.value };
  if (type.flags & ts.TypeFlags.Null) return { type: 'null' };
  if (type.isUnion()) {
    const members = type.types.filter((t) => !(t.flags & ts.TypeFlags.Undefined));
    if (members.length === 1) return schemaOf(checker, members[0], name);
    if (members.every((t) => t.flags & ts.TypeFlags.StringLiteral)) return { type: 'string', enum: members.map((t) => t.value) };
    if (members.every((t) => t.flags & ts.TypeFlags.BooleanLiteral)) return { type: 'boolean' };
    return { anyOf: members.map((t) => schemaOf(checker, t, name)) };
  }
  if (checker.isArrayType(type)) return { type: 'array', items: schemaOf(checker, checker.getTypeArguments(type)[0], name) };
  if (type.flags & ts.TypeFlags.Object) return objectSchema(checker, type);
  throw new Error(`event-contract: no JSON Schema for the type ${checker.typeToString(type)} (${name})`);
}

function describe(checker, symbol) {
  const text = ts.displayPartsToString(symbol.getDocumentationComment(checker)).replace(/\s+/g, ' ').trim();
  return text ? { description: text } : {};
}

/** Closed: the producer may send only the fields it declares (consumers still ignore unknown ones, docs/events.md). */
function objectSchema(checker, type) {
  const properties = {};
  const required = [];
  for (const prop of checker.getPropertiesOfType(type)) {
    const declaration = prop.valueDeclaration ?? prop.declarations?.[0];
    const propType = checker.getTypeOfSymbolAtLocation(prop, declaration);
    properties[prop.name] = { ...schemaOf(checker, propType, prop.name), ...describe(checker, prop) };
    if (!(prop.flags & ts.SymbolFlags.Optional)) required.push(prop.name);
  }
  return { type: 'object', properties, required, additionalProperties: false };
}

/** The event types, their data schemas and documentation, read from libs/contracts/src/events.ts. */
export function eventSchemas() {
  const program = ts.createProgram([EVENTS_FILE], { strict: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, noEmit: true });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(EVENTS_FILE);
  const find = (name) => {
    const node = source.statements.find((s) => ts.isInterfaceDeclaration(s) && s.name.text === name);
    if (!node) throw new Error(`event-contract: ${name} not found in ${EVENTS_FILE}`);
    return checker.getTypeAtLocation(node);
  };
  const envelope = find('EventEnvelope');
  const envelopeFields = {};
  for (const prop of checker.getPropertiesOfType(envelope)) envelopeFields[prop.name] = { optional: Boolean(prop.flags & ts.SymbolFlags.Optional), ...describe(checker, prop) };
  const types = [];
  for (const prop of checker.getPropertiesOfType(find('EventData'))) {
    const declaration = prop.valueDeclaration ?? prop.declarations?.[0];
    types.push({ type: prop.name, ...describe(checker, prop), data: schemaOf(checker, checker.getTypeOfSymbolAtLocation(prop, declaration), prop.name) });
  }
  return { envelopeFields, types };
}

const componentKey = (type) => type.replace(/\./g, '_');

/** The whole AsyncAPI 3.0 document. */
export function asyncApiDocument() {
  const { envelopeFields, types } = eventSchemas();
  const text = (field) => envelopeFields[field]?.description;
  const envelopeOf = (type) => ({
    type: 'object',
    properties: {
      id: { type: 'string', format: 'uuid', description: text('id') },
      type: { const: type, description: text('type') },
      version: { const: 1, description: text('version') },
      occurred_at: { type: 'string', format: 'date-time', description: text('occurred_at') },
      source: { type: 'string', enum: ['authorization', 'registration', 'token', 'introspection', 'jwks'], description: text('source') },
      request_id: { type: 'string', description: text('request_id') },
      data: { $ref: `#/components/schemas/${componentKey(type)}_data` },
    },
    required: Object.entries(envelopeFields).filter(([, f]) => !f.optional).map(([name]) => name),
    additionalProperties: false,
  });
  const channels = {};
  const operations = {};
  const messages = {};
  const schemas = {};
  for (const { type, description, data } of types) {
    const key = componentKey(type);
    channels[key] = {
      address: `{prefix}.events.v1.${type}`,
      ...(description ? { description } : {}),
      parameters: { prefix: { $ref: '#/components/parameters/prefix' } },
      messages: { [key]: { $ref: `#/components/messages/${key}` } },
    };
    operations[`publish_${key}`] = { action: 'send', channel: { $ref: `#/channels/${key}` }, messages: [{ $ref: `#/channels/${key}/messages/${key}` }] };
    messages[key] = {
      name: type,
      title: type,
      ...(description ? { summary: description } : {}),
      contentType: 'application/json',
      headers: { $ref: '#/components/schemas/headers' },
      payload: { $ref: `#/components/schemas/${key}` },
    };
    schemas[key] = envelopeOf(type);
    schemas[`${key}_data`] = data;
  }
  schemas.headers = {
    type: 'object',
    properties: {
      'Nats-Msg-Id': { type: 'string', description: 'The envelope id: JetStream drops a re-publication within its duplicate window.' },
      'x-request-id': { type: 'string', description: 'The envelope request_id, when there is one.' },
      traceparent: { type: 'string', description: 'W3C trace context, with tracing on.' },
    },
    required: ['Nats-Msg-Id'],
  };
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'SMART on FHIR authorization server: events',
      version: '1',
      description:
        'Generated by tools/event-contract.mjs from libs/contracts/src/events.ts; do not edit by hand. Every security-relevant fact, published on NATS JetStream (stream <PREFIX>_EVENTS) at least once: de-duplicate on id. Timestamps: occurred_at is RFC 3339; every instant in data is seconds since the epoch (integer). Consumers ignore event types and fields they do not know. See docs/events.md for the stream, the versioning rule and dead letters.',
    },
    defaultContentType: 'application/json',
    servers: { nats: { host: 'nats:4222', protocol: 'nats', description: 'The installation’s NATS server (JetStream enabled).' } },
    channels,
    operations,
    components: {
      parameters: { prefix: { default: 'smart', description: 'SUBJECT_PREFIX of the installation.' } },
      messages,
      schemas,
    },
  };
}

export function asyncApiYaml() {
  return `# Generated by tools/event-contract.mjs from libs/contracts/src/events.ts: do not edit by hand.\n${YAML.stringify(asyncApiDocument(), { lineWidth: 0, aliasDuplicateObjects: false })}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const wanted = asyncApiYaml();
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(OUTPUT, 'utf8');
    } catch {
      // missing: reported below
    }
    if (current !== wanted) {
      console.error('docs/asyncapi.yaml is not what libs/contracts/src/events.ts says: run node tools/event-contract.mjs');
      process.exit(1);
    }
    console.log('docs/asyncapi.yaml matches libs/contracts/src/events.ts');
  } else {
    writeFileSync(OUTPUT, wanted);
    console.log(`wrote ${OUTPUT}`);
  }
}
