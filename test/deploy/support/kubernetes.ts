// What the API server would refuse, checked without one. Each manifest goes through the validator
// kubernetes-models compiled from the Kubernetes OpenAPI schema of its kind (the
// @kubernetes-models/prometheus-operator ones for ServiceMonitor and PrometheusRule, from the
// operator's CRDs). Those validators check types, enums and required fields but let unknown
// fields through, so each object is read through a Proxy that records which properties the
// validator asked for: an object the validator looked into, without listing its keys as it does
// for a map, has only the properties its schema names, and any other key is an unknown field
// (kubectl's --validate=strict refuses them the same way). Objects the validator never opened
// are free-form in the schema.
import { createRequire } from 'node:module';
import { join } from 'node:path';

type Validator = ((data: unknown) => boolean) & { errors?: Array<{ instancePath: string; message?: string; keyword: string; params: unknown }> | null };

const require = createRequire(import.meta.url);
const root = process.cwd();
const core = (name: string) => join(root, 'node_modules/kubernetes-models/_schemas', `${name}.js`);
const operator = (name: string) => join(root, 'node_modules/@kubernetes-models/prometheus-operator/_schemas', `${name}.js`);

const SCHEMAS: Record<string, string> = {
  'v1/ConfigMap': core('IoK8sApiCoreV1ConfigMap'),
  'v1/Secret': core('IoK8sApiCoreV1Secret'),
  'v1/Service': core('IoK8sApiCoreV1Service'),
  'v1/ServiceAccount': core('IoK8sApiCoreV1ServiceAccount'),
  'v1/Pod': core('IoK8sApiCoreV1Pod'),
  'apps/v1/Deployment': core('IoK8sApiAppsV1Deployment'),
  'batch/v1/Job': core('IoK8sApiBatchV1Job'),
  'autoscaling/v2/HorizontalPodAutoscaler': core('IoK8sApiAutoscalingV2HorizontalPodAutoscaler'),
  'policy/v1/PodDisruptionBudget': core('IoK8sApiPolicyV1PodDisruptionBudget'),
  'networking.k8s.io/v1/Ingress': core('IoK8sApiNetworkingV1Ingress'),
  'networking.k8s.io/v1/NetworkPolicy': core('IoK8sApiNetworkingV1NetworkPolicy'),
  'monitoring.coreos.com/v1/ServiceMonitor': operator('MonitoringCoreosComV1ServiceMonitor'),
  'monitoring.coreos.com/v1/PrometheusRule': operator('MonitoringCoreosComV1PrometheusRule'),
};

type Reads = { keys: Set<string>; listed: boolean };

/** The problems the API server would report for `manifest`: schema errors and unknown fields, as `<kind>/<name> <path>: <problem>`. */
export function schemaProblems(manifest: { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown } }): string[] {
  const id = `${String(manifest.kind)}/${String(manifest.metadata?.name)}`;
  const file = SCHEMAS[`${String(manifest.apiVersion)}/${String(manifest.kind)}`];
  if (!file) return [`${id}: no schema for ${String(manifest.apiVersion)} ${String(manifest.kind)}`];
  const validate = (require(file) as { validate: Validator }).validate;
  const reads = new WeakMap<object, Reads>();
  const proxies = new WeakMap<object, object>();
  const watch = (value: unknown): unknown => {
    if (typeof value !== 'object' || value === null) return value;
    const known = proxies.get(value);
    if (known) return known;
    const record: Reads = { keys: new Set(), listed: false };
    reads.set(value, record);
    const proxy = new Proxy(value, {
      get(target, key, receiver) {
        if (typeof key === 'string') record.keys.add(key);
        return watch(Reflect.get(target, key, receiver));
      },
      has(target, key) {
        if (typeof key === 'string') record.keys.add(key);
        return Reflect.has(target, key);
      },
      ownKeys(target) {
        record.listed = true;
        return Reflect.ownKeys(target);
      },
    });
    proxies.set(value, proxy);
    return proxy;
  };
  const problems: string[] = [];
  if (!validate(watch(manifest))) {
    for (const e of validate.errors ?? []) problems.push(`${id} ${e.instancePath || '/'}: ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`);
  }
  const unknown = (value: unknown, path: string): void => {
    if (typeof value !== 'object' || value === null) return;
    if (Array.isArray(value)) return value.forEach((v, i) => unknown(v, `${path}/${i}`));
    const record = reads.get(value);
    if (!record || record.keys.size === 0 || record.listed) return; // free-form, or a map
    for (const key of Object.keys(value)) {
      if (!record.keys.has(key)) problems.push(`${id} ${path}/${key}: unknown field "${key}"`);
      else unknown((value as Record<string, unknown>)[key], `${path}/${key}`);
    }
  };
  unknown(manifest, '');
  return problems;
}
