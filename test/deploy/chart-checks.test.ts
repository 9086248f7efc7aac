/* eslint-disable @typescript-eslint/no-explicit-any -- the rendered manifests are untyped YAML read field by field; chartProblems() has checked them against the Kubernetes schemas */
// What `helm install` and the API server refuse, and what the chart's operator-facing options do:
// required values, values.schema.json, strict manifest validation and cross-references (each shown to
// fail on a broken input), scheduling, service account, digests, checksum annotations, NOTES.txt and
// the `helm test` pod.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderChart } from './support/helm.js';
import { CHART_DIR, chartProblems, find, render, renderFull } from './support/chart.js';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

/** Every option of issue #19 at once, as a production installation would set them. */
const PRODUCTION = {
  image: { repository: 'registry.example.org/smart-auth', tag: '1.4.0', digest: DIGEST },
  serviceAccount: { create: true, annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::1:role/smart-auth' } },
  nodeSelector: { 'kubernetes.io/os': 'linux' },
  tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'auth', effect: 'NoSchedule' }],
  affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'pool', operator: 'In', values: ['auth'] }] }] } } },
  priorityClassName: 'platform-critical',
  podAnnotations: { 'team.example.org/owner': 'identity' },
  podLabels: { 'team.example.org/cost-centre': 'identity' },
  jetstream: { replicas: 5, maxAgeSeconds: 7776000, maxBytes: 10737418240 },
  metrics: { serviceMonitor: { enabled: true, labels: { release: 'prom' } } },
  services: {
    token: {
      topologySpreadConstraints: [{ maxSkew: 2, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { 'app.kubernetes.io/component': 'token' } } }],
      priorityClassName: 'token-critical',
      podAnnotations: { 'sidecar.istio.io/inject': 'false' },
      nodeSelector: { 'node.example.org/cpu': 'fast' },
    },
    audit: { replicas: 1, tolerations: [] },
  },
};

const podOf = (manifests: any[], service: string) => find(manifests, 'Deployment', `rel-${service}`)!.spec.template;

describe('Helm chart: what helm install refuses', () => {
  it('the default values fail with the required message: no database URL, and no Secret named instead', () => {
    assert.throws(() => renderChart(CHART_DIR), /secrets\.databaseUrl is required \(a postgres:\/\/ URL\), or name a Secret holding it in secrets\.existingSecret/);
    assert.throws(() => render({ secrets: { keyEncryptionKey: '' } }), /secrets\.keyEncryptionKey is required/);
    assert.throws(() => render({ secrets: { adminClientSecret: '' } }), /secrets\.adminClientSecret is required while config\.adminClientId is set/);
    assert.throws(() => render({ config: { registrationPolicy: 'initial-access-token' } }), /secrets\.registrationInitialAccessToken is required/);
    // Naming an existing Secret is enough, and no admin client needs no admin secret.
    assert.ok(renderChart(CHART_DIR, { secrets: { existingSecret: 'smart-auth-secrets' } }).manifests.length > 10);
    assert.ok(render({ config: { adminClientId: '' }, secrets: { adminClientSecret: '' }, tests: { enabled: false } }).length > 10);
  });

  it('values.schema.json refuses unknown and mistyped values', () => {
    const refused: Array<[object, RegExp]> = [
      [{ image: { pullPolcy: 'Always' } }, /\/image: must NOT have additional properties \(pullPolcy\)/],
      [{ services: { gateway: { replica: 3 } } }, /\/services\/gateway: must NOT have additional properties \(replica\)/],
      [{ services: { gateway: { replicas: '2' } } }, /\/services\/gateway\/replicas: must be integer/],
      [{ services: { gatewy: { replicas: 2 } } }, /\/services: must NOT have additional properties \(gatewy\)/],
      [{ image: { digest: 'latest' } }, /\/image\/digest: must match pattern/],
      [{ image: { digests: { gateway: DIGEST } } }, /\/image: must NOT have additional properties \(digests\)/],
      [{ jetstream: { replicas: 0 } }, /\/jetstream\/replicas: must be >= 1/],
      [{ rateLimits: { store: 'redis' } }, /\/rateLimits\/store: must be equal to one of the allowed values/],
      [{ config: { logLevel: 'trace' } }, /\/config\/logLevel: must be equal to one of the allowed values/],
      [{ topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'Maybe' }] }, /whenUnsatisfiable: must be equal to one of the allowed values/],
      [{ secrets: { databaseUrl: 'mysql://x' } }, /\/secrets\/databaseUrl: must match pattern/],
      [{ extraEnv: { 'BAD-NAME': 'x' } }, /\/extraEnv: property name must be valid/],
      [{ udap: { enabled: true, trustAnchor: 'x' } }, /\/udap: must NOT have additional properties \(trustAnchor\)/],
      [{ udap: { communities: [{ uri: 'urn:x' }] } }, /\/udap\/communities\/0: must have required property 'anchor'/],
      [{ udap: { communities: [{ anchor: 'not-a-fingerprint' }] } }, /\/udap\/communities\/0\/anchor: must match pattern/],
    ];
    for (const [values, message] of refused) assert.throws(() => render(values as any), message, JSON.stringify(values));
  });
});

describe('Helm chart: strict validation catches what the API server catches', () => {
  it('refuses a misspelt field, an unknown spec field, a mistyped value, a selector that misses its pods and a broken reference', () => {
    const manifests = render({ metrics: { serviceMonitor: { enabled: true } } });
    assert.deepEqual(chartProblems(manifests), []);
    const broken = (edit: (m: any[]) => void) => {
      const copy = structuredClone(manifests) as any[];
      edit(copy);
      return chartProblems(copy).join('\n');
    };
    const gateway = (m: any[]) => m.find((x) => x.kind === 'Deployment' && x.metadata.name === 'rel-gateway');
    assert.match(broken((m) => (gateway(m).spec.template.spec.containers[0].imagePullPolcy = 'Always')), /containers\/0\/imagePullPolcy: unknown field "imagePullPolcy"/);
    assert.match(broken((m) => (gateway(m).spec.replica = 3)), /Deployment\/rel-gateway \/spec\/replica: unknown field "replica"/);
    assert.match(broken((m) => (gateway(m).spec.template.spec.containers[0].ports[0].containerPort = '8080')), /containers\/0\/ports\/0\/containerPort: type/);
    assert.match(broken((m) => (gateway(m).spec.selector.matchLabels['app.kubernetes.io/component'] = 'gateways')), /Deployment\/rel-gateway: selector .* does not match its pod labels/);
    assert.match(broken((m) => (m.find((x) => x.kind === 'Service' && x.metadata.name === 'rel-gateway').spec.ports[0].targetPort = 'web')), /targetPort "web" is not a named port/);
    assert.match(broken((m) => (m.find((x) => x.kind === 'PodDisruptionBudget').spec.selector.matchLabels['app.kubernetes.io/component'] = 'nothing')), /PodDisruptionBudget\/.*: selector matches no Deployment's pods/);
    assert.match(broken((m) => (m.find((x) => x.kind === 'ServiceMonitor').spec.endpoints[0].intervall = '30s')), /ServiceMonitor\/rel-smart-auth \/spec\/endpoints\/0\/intervall: unknown field/);
    assert.match(broken((m) => (m.find((x) => x.kind === 'ServiceMonitor').spec.endpoints[0].port = 'http')), /Service rel-metrics has no port "http"/);
    assert.match(broken((m) => m.splice(m.findIndex((x) => x.kind === 'ConfigMap'), 1)), /envFrom ConfigMap rel-smart-auth is not in the release/);
    assert.match(broken((m) => m.splice(m.findIndex((x) => x.kind === 'Secret' && x.metadata.name === 'rel-smart-auth'), 1)), /names Secret rel-smart-auth, which does not exist/);
    assert.match(broken((m) => (gateway(m).spec.template.spec.containers[0].readinessProbe.httpGet.port = 'mgmt')), /readinessProbe names port "mgmt"/);
  });

  it('a full production value set renders, validates and wires every option', () => {
    const { manifests } = renderFull(PRODUCTION as any);
    assert.deepEqual(chartProblems(manifests), []);
    const gateway = podOf(manifests, 'gateway');
    // The one image by digest everywhere (the tag ignored): services, the migration job, the test pod.
    assert.equal(gateway.spec.containers[0].image, `registry.example.org/smart-auth@${DIGEST}`);
    assert.equal(podOf(manifests, 'jwks').spec.containers[0].image, `registry.example.org/smart-auth@${DIGEST}`);
    assert.deepEqual(podOf(manifests, 'jwks').spec.containers[0].command, ['node', 'dist/apps/jwks/main.js']);
    assert.equal(find(manifests, 'Job', 'rel-smart-auth-migrate')!.spec.template.spec.containers[0].image, `registry.example.org/smart-auth@${DIGEST}`);
    assert.equal(find(manifests, 'Pod', 'rel-smart-auth-test')!.spec.containers[0].image, `registry.example.org/smart-auth@${DIGEST}`);
    const account = find(manifests, 'ServiceAccount', 'rel-smart-auth')!;
    assert.equal(account.metadata.annotations!['eks.amazonaws.com/role-arn'], 'arn:aws:iam::1:role/smart-auth');
    assert.equal(gateway.spec.serviceAccountName, 'rel-smart-auth');
    assert.equal(gateway.spec.automountServiceAccountToken, false);
    assert.deepEqual(gateway.spec.nodeSelector, { 'kubernetes.io/os': 'linux' });
    assert.deepEqual(gateway.spec.tolerations, PRODUCTION.tolerations);
    assert.deepEqual(gateway.spec.affinity, PRODUCTION.affinity);
    assert.equal(gateway.spec.priorityClassName, 'platform-critical');
    assert.equal(gateway.metadata.annotations['team.example.org/owner'], 'identity');
    assert.equal(gateway.metadata.labels['team.example.org/cost-centre'], 'identity');
    // A service's own values replace the global ones.
    const token = podOf(manifests, 'token');
    assert.deepEqual(token.spec.topologySpreadConstraints, PRODUCTION.services.token.topologySpreadConstraints);
    assert.equal(token.spec.priorityClassName, 'token-critical');
    assert.deepEqual(token.spec.nodeSelector, { 'node.example.org/cpu': 'fast' });
    assert.deepEqual(token.metadata.annotations['sidecar.istio.io/inject'], 'false');
    assert.equal(token.metadata.annotations['team.example.org/owner'], undefined);
    // The stream settings reach the migration job, as plain integers.
    const env = Object.fromEntries(find(manifests, 'Job', 'rel-smart-auth-migrate')!.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
    assert.deepEqual([env.EVENTS_STREAM_REPLICAS, env.EVENTS_STREAM_MAX_AGE_SECONDS, env.EVENTS_STREAM_MAX_BYTES, env.NATS_URL, env.SUBJECT_PREFIX], ['5', '7776000', '10737418240', 'nats://nats.nats.svc.cluster.local:4222', 'smart']);
  });

  it('spreads replicated services over zones and hosts by default, and only them', () => {
    const manifests = render({ services: { audit: { replicas: 1 } } });
    const spread = podOf(manifests, 'registration').spec.topologySpreadConstraints;
    assert.deepEqual(spread.map((c: any) => [c.topologyKey, c.maxSkew, c.whenUnsatisfiable]), [['topology.kubernetes.io/zone', 1, 'ScheduleAnyway'], ['kubernetes.io/hostname', 1, 'ScheduleAnyway']]);
    assert.deepEqual(spread[0].labelSelector.matchLabels, find(manifests, 'Deployment', 'rel-registration')!.spec.selector.matchLabels);
    assert.ok(podOf(manifests, 'gateway').spec.topologySpreadConstraints, 'autoscaled services are replicated');
    assert.equal(podOf(manifests, 'audit').spec.topologySpreadConstraints, undefined, 'one replica: nothing to spread');
    assert.equal(podOf(render({ defaultTopologySpread: false }), 'registration').spec.topologySpreadConstraints, undefined);
  });
});

describe('Helm chart: upgrades restart only the pods whose configuration changed', () => {
  const templates = (manifests: any[]) => Object.fromEntries(manifests.filter((m) => m.kind === 'Deployment').map((m) => [m.metadata.name.replace('rel-', ''), JSON.stringify(m.spec.template)]));
  const changed = (a: any[], b: any[]) => {
    const [x, y] = [templates(a), templates(b)];
    return Object.keys(x).filter((k) => x[k] !== y[k]).sort();
  };
  const base = render();

  it('an unchanged release changes no pod template (no per-revision annotation)', () => {
    assert.deepEqual(changed(base, render()), []);
  });

  it('the shared ConfigMap rolls every service; a secret only the services that mount it; one service\'s values that service', () => {
    assert.equal(changed(base, render({ config: { logLevel: 'debug' } })).length, 7);
    assert.deepEqual(changed(base, render({ secrets: { adminClientSecret: 'another-admin-secret-value' } })), ['registration']);
    assert.deepEqual(changed(base, render({ secrets: { keyEncryptionKey: 'YW5vdGhlci1rZXktZW5jcnlwdGlvbi1rZXktMzItYnl0ZXM=' } })), ['jwks', 'token']);
    assert.deepEqual(changed(base, render({ secrets: { databaseUrl: 'postgres://smart:new@pg-rw.db:5432/smart' } })), ['audit', 'authorization', 'introspection', 'jwks', 'registration']);
    assert.deepEqual(changed(base, render({ services: { token: { extraEnv: { RPC_TIMEOUT_MS: 4000 } } } })), ['token']);
    assert.deepEqual(changed(render({ clients: { enabled: true, declared: [{ client_id: 'a' }] } }), render({ clients: { enabled: true, declared: [{ client_id: 'b' }] } })), ['registration']);
    const annotations = podOf(base, 'jwks').metadata.annotations;
    assert.match(annotations['checksum/config'], /^[0-9a-f]{64}$/);
    assert.match(annotations['checksum/secret'], /^[0-9a-f]{64}$/);
    assert.equal(podOf(base, 'gateway').metadata.annotations['checksum/secret'], undefined);
  });
});

describe('Helm chart: NOTES.txt and helm test', () => {
  it('prints where the installation answers and how to check it', () => {
    const { notes } = renderFull();
    assert.match(notes, /Discovery: {2}https:\/\/auth\.example\.org\/\.well-known\/smart-configuration/);
    assert.match(notes, /helm test rel -n smart --logs/);
    assert.match(notes, /get secret rel-smart-auth -o jsonpath='\{\.data\.admin-client-secret\}'/);
    assert.match(renderFull({ ingress: { enabled: false } }).notes, /port-forward svc\/rel-gateway 8080:80/);
    assert.doesNotMatch(notes, /each gateway replica counts on its own/);
    assert.match(renderFull({ rateLimits: { store: 'memory' } }).notes, /rateLimits\.store is memory; each gateway replica counts on its own/);
  });

  it('the test pod checks discovery and a client_credentials token through the gateway Service, and may reach it', () => {
    const manifests = render();
    const pod = find(manifests, 'Pod', 'rel-smart-auth-test')!;
    assert.equal(pod.metadata.annotations!['helm.sh/hook'], 'test');
    const container = pod.spec.containers[0];
    const script = container.command.join('\n');
    assert.match(script, /\/\.well-known\/smart-configuration/);
    assert.match(script, /grant_type=client_credentials/);
    const env = Object.fromEntries(container.env.map((e: any) => [e.name, e.value]));
    assert.equal(env.GATEWAY, 'http://rel-gateway.smart.svc:80');
    assert.equal(env.CLIENT_ID, 'admin');
    assert.equal(pod.spec.volumes[0].secret.secretName, 'rel-smart-auth');
    const from = find(manifests, 'NetworkPolicy', 'rel-gateway')!.spec.ingress[0].from;
    assert.ok(from.some((f: any) => f.podSelector?.matchLabels['app.kubernetes.io/name'] === pod.metadata.labels!['app.kubernetes.io/name']));
    assert.equal(find(render({ tests: { enabled: false } }), 'Pod', 'rel-smart-auth-test'), undefined);
  });
});
