/* eslint-disable @typescript-eslint/no-explicit-any -- the rendered manifests are untyped YAML read field by field; chartProblems() has checked them against the Kubernetes schemas */
// The Helm chart as `helm template` renders it (support/helm.ts: the Go template engine with Helm's
// and Sprig's functions, values checked against values.schema.json), every manifest checked against
// the Kubernetes schemas with unknown fields refused and for broken cross-references (support/).
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { parseClientsFile } from '../../apps/registration/src/declared-clients/clients-file.js';
import { chartProblems, find, render, renderFull } from './support/chart.js';

const root = process.cwd();
const SERVICES = readdirSync(join(root, 'apps')).filter((s) => s !== 'suite' && s !== 'cli').sort();
const renderChart = async (overrides: Record<string, any> = {}): Promise<any[]> => render(overrides);
const validateAll = (manifests: any[], external: string[] = []) => assert.deepEqual(chartProblems(manifests, external), []);

describe('Helm chart', () => {
  it('renders with the minimal values and every manifest is valid against the Kubernetes schemas', async () => {
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
    validateAll(manifests, ['smart-auth-secrets']);
    assert.equal(find(manifests, 'Secret', 'rel-smart-auth'), undefined, 'no chart Secret with existingSecret');
    const gateway = find(manifests, 'Deployment', 'rel-gateway')!;
    assert.equal(gateway.spec.replicas, 2);
    // One image for every service, the command picks the service.
    for (const s of SERVICES) {
      const container = find(manifests, 'Deployment', `rel-${s}`)!.spec.template.spec.containers[0];
      assert.equal(container.image, 'ghcr.io/example/smart-auth:1.2.3', s);
      assert.deepEqual(container.command, ['node', `dist/apps/${s}/main.js`], s);
    }
    assert.equal(find(manifests, 'ConfigMap', 'rel-smart-auth')!.data.OTEL_SERVICE_NAME, 'smart "auth"');
    // Rate limits counted across the gateway replicas by default.
    const gatewayEnv = gateway.spec.template.spec.containers[0].env as Array<{ name: string; value?: string }>;
    assert.equal(gatewayEnv.find((e) => e.name === 'RATE_LIMIT_STORE')?.value, 'nats');
    assert.equal(gatewayEnv.find((e) => e.name === 'RATE_LIMIT_SYNC_MS')?.value, '100');
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

  it('names the protocol and housekeeping settings, each in the shared ConfigMap only when set (the suite\'s defaults otherwise)', async () => {
    const shared = async (overrides: Record<string, unknown>) => find(await renderChart(overrides), 'ConfigMap', 'rel-smart-auth')!.data as Record<string, string>;
    const NAMED = ['REQUIRE_PAR', 'PAR_LIFETIME_SECONDS', 'DPOP_NONCE_REQUIRED', 'DPOP_NONCE_ROTATION_SECONDS', 'REFRESH_REUSE_GRACE_SECONDS', 'REFRESH_REUSE_DETECTION_SECONDS', 'EHR_SIGN_IN_TRUSTED', 'HOUSEKEEPING_INTERVAL_SECONDS', 'HOUSEKEEPING_BATCH_SIZE', 'HOUSEKEEPING_ROUND_BUDGET_MS'];
    const defaults = await shared({});
    for (const key of NAMED) assert.equal(defaults[key], undefined, `${key} is not set by default`);
    const set = await shared({
      protocol: { requirePar: true, parLifetimeSeconds: 30, dpopNonceRequired: true, dpopNonceRotationSeconds: 120, refreshReuseGraceSeconds: 10, refreshReuseDetectionSeconds: 604800, ehrSignInTrusted: true },
      housekeeping: { intervalSeconds: 30, batchSize: 1000, roundBudgetMs: 5000 },
    });
    assert.deepEqual(Object.fromEntries(NAMED.map((k) => [k, set[k]])), {
      REQUIRE_PAR: 'true', PAR_LIFETIME_SECONDS: '30', DPOP_NONCE_REQUIRED: 'true', DPOP_NONCE_ROTATION_SECONDS: '120', REFRESH_REUSE_GRACE_SECONDS: '10',
      REFRESH_REUSE_DETECTION_SECONDS: '604800', EHR_SIGN_IN_TRUSTED: 'true', HOUSEKEEPING_INTERVAL_SECONDS: '30', HOUSEKEEPING_BATCH_SIZE: '1000', HOUSEKEEPING_ROUND_BUDGET_MS: '5000',
    });
  });

  it('renders declared clients into a ConfigMap mounted into the registration pods, a valid clients file', async () => {
    const declared = [
      { client_id: 'billing', client_name: 'Billing "prod" \\ é', grant_types: ['client_credentials'], scope: 'system/Patient.rs', client_secret_file: '/run/secrets/smart-auth-clients/billing' },
      { client_id: 'chart-app', redirect_uris: ['https://chart.example.org/callback?x=1&y=2'], token_endpoint_auth_method: 'none', contacts: ['ops@example.org'] },
      { client_id: 'bulk', grant_types: ['client_credentials'], token_endpoint_auth_method: 'private_key_jwt', jwks_uri: 'https://bulk.example.org/jwks.json', scope: 'system/*.rs', software_version: '1.0: "two" #3 \'x\'' }, // YAML's special characters; control characters are refused since issue #14
    ];
    const manifests = await renderChart({ clients: { enabled: true, declared, prune: true, reloadIntervalSeconds: 60, secretName: 'app-client-secrets' } });
    validateAll(manifests, ['app-client-secrets']);
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

  it('UDAP: anchors and communities in a ConfigMap, the server certificate in a Secret, mounted into the registration pods only; off by default', async () => {
    const pem = (label: string) => `-----BEGIN ${label}-----\nMIIB\n-----END ${label}-----\n`;
    const communities = [{ anchor: 'AB:'.repeat(31) + 'AB', uri: 'urn:example:payers', privileges: 'system/*.rs' }];
    const manifests = await renderChart({ udap: { enabled: true, trustAnchors: pem('CERTIFICATE'), communities, serverCertificate: pem('CERTIFICATE'), serverKey: pem('PRIVATE KEY') } });
    validateAll(manifests);
    const config = find(manifests, 'ConfigMap', 'rel-smart-auth-udap')!.data;
    assert.equal(config['trust-anchors.pem'], pem('CERTIFICATE'));
    assert.deepEqual(parseYaml(config['communities.yaml']), { communities });
    assert.equal(find(manifests, 'Secret', 'rel-smart-auth-udap-server')!.type, 'kubernetes.io/tls');
    const pod = find(manifests, 'Deployment', 'rel-registration')!.spec.template;
    const env = Object.fromEntries(pod.spec.containers[0].env.map((e: any) => [e.name, e.value]));
    assert.equal(env.UDAP_TRUST_ANCHORS_FILE, '/etc/smart-auth/udap/trust-anchors.pem');
    assert.equal(env.UDAP_COMMUNITIES_FILE, '/etc/smart-auth/udap/communities.yaml');
    assert.equal(env.UDAP_SERVER_CERT_FILE, '/run/secrets/smart-auth-udap/tls.crt');
    assert.equal(env.UDAP_SERVER_KEY_FILE, '/run/secrets/smart-auth-udap/tls.key');
    assert.equal(env.UDAP_CRL_ALLOWED_HOSTS, undefined, 'the loopback exception is for tests only');
    assert.ok(pod.metadata.annotations['checksum/udap']);
    assert.equal(pod.spec.volumes.find((v: any) => v.name === 'udap-server').secret.secretName, 'rel-smart-auth-udap-server');
    assert.deepEqual(find(manifests, 'NetworkPolicy', 'rel-udap-crls')!.spec.egress[0].ports.map((p: any) => p.port), [80, 443]);
    const shared = find(manifests, 'ConfigMap', 'rel-smart-auth')!.data;
    assert.equal(shared.UDAP_AUTHORIZATION_EXTENSIONS_SUPPORTED, 'hl7-b2b');
    assert.equal(shared.UDAP_AUTHORIZATION_EXTENSIONS_REQUIRED, undefined);
    const required = await renderChart({ udap: { enabled: true, trustAnchors: pem('CERTIFICATE'), serverCertificate: pem('CERTIFICATE'), serverKey: pem('PRIVATE KEY'), authorizationExtensionsRequired: 'hl7-b2b' } });
    assert.equal(find(required, 'ConfigMap', 'rel-smart-auth')!.data.UDAP_AUTHORIZATION_EXTENSIONS_REQUIRED, 'hl7-b2b');
    for (const s of SERVICES.filter((x) => x !== 'registration')) {
      assert.ok(!find(manifests, 'Deployment', `rel-${s}`)!.spec.template.spec.containers[0].env.some((e: any) => e.name.startsWith('UDAP_')), s);
    }
    const existing = await renderChart({ udap: { enabled: true, trustAnchors: pem('CERTIFICATE'), serverSecretName: 'udap-server-tls' } });
    validateAll(existing, ['udap-server-tls']);
    assert.equal(find(existing, 'Secret', 'rel-smart-auth-udap-server'), undefined);
    const registration = find(existing, 'Deployment', 'rel-registration')!.spec.template.spec;
    assert.equal(registration.volumes.find((v: any) => v.name === 'udap-server').secret.secretName, 'udap-server-tls');
    assert.ok(!registration.containers[0].env.some((e: any) => e.name === 'UDAP_COMMUNITIES_FILE'));
    assert.throws(() => renderFull({ udap: { enabled: true, trustAnchors: pem('CERTIFICATE') } }), /udap.serverCertificate is required/);
    const defaults = await renderChart();
    assert.equal(find(defaults, 'ConfigMap', 'rel-smart-auth-udap'), undefined);
    assert.ok(!find(defaults, 'Deployment', 'rel-registration')!.spec.template.spec.containers[0].env.some((e: any) => e.name.startsWith('UDAP_')));
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
    // The ServiceMonitor is checked against the Prometheus Operator's CRD schema.
    validateAll(manifests);
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

