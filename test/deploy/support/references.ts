// Cross-references inside one rendered release that no schema sees and a cluster only shows as a
// pod that never becomes ready or a Service without endpoints: selectors that match their pods,
// named ports that exist, ConfigMaps, Secrets and ServiceAccounts that are there.
/* eslint-disable @typescript-eslint/no-explicit-any -- manifests are untyped YAML; schemaProblems() has checked their shapes */
import type { Manifest } from './helm.js';

type Pod = { owner: string; labels: Record<string, string>; spec: any };

const matches = (selector: Record<string, string> | undefined, labels: Record<string, string>) =>
  selector !== undefined && Object.entries(selector).every(([k, v]) => labels[k] === v);

function podsOf(manifests: Manifest[]): Pod[] {
  const pods: Pod[] = [];
  for (const m of manifests as any[]) {
    if (m.kind === 'Deployment' || m.kind === 'Job') pods.push({ owner: `${m.kind}/${m.metadata.name}`, labels: m.spec.template.metadata?.labels ?? {}, spec: m.spec.template.spec });
    if (m.kind === 'Pod') pods.push({ owner: `Pod/${m.metadata.name}`, labels: m.metadata.labels ?? {}, spec: m.spec });
  }
  return pods;
}

/**
 * Every broken reference in `manifests`, as a sentence. `external` names what the release expects
 * to exist already (an existingSecret, a ServiceAccount created elsewhere).
 */
export function referenceProblems(manifests: Manifest[], external: { secrets?: string[]; serviceAccounts?: string[] } = {}): string[] {
  const problems: string[] = [];
  const named = (kind: string) => new Set(manifests.filter((m) => m.kind === kind).map((m) => m.metadata.name));
  const configMaps = named('ConfigMap');
  const secrets = new Set([...named('Secret'), ...(external.secrets ?? [])]);
  const accounts = new Set([...named('ServiceAccount'), 'default', ...(external.serviceAccounts ?? [])]);
  const pods = podsOf(manifests);
  const all = manifests as any[];

  for (const m of all.filter((x) => x.kind === 'Deployment')) {
    const selector = m.spec.selector?.matchLabels;
    if (!matches(selector, m.spec.template.metadata?.labels ?? {})) problems.push(`Deployment/${m.metadata.name}: selector ${JSON.stringify(selector)} does not match its pod labels`);
  }
  for (const pod of pods) {
    const ports = new Set<string>((pod.spec.containers ?? []).flatMap((c: any) => (c.ports ?? []).map((p: any) => p.name)));
    for (const c of pod.spec.containers ?? []) {
      for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
        const port = c[probe]?.httpGet?.port;
        if (typeof port === 'string' && !ports.has(port)) problems.push(`${pod.owner}: ${c.name} ${probe} names port "${port}", which no container declares`);
      }
      for (const source of c.envFrom ?? []) {
        if (source.configMapRef && !configMaps.has(source.configMapRef.name)) problems.push(`${pod.owner}: envFrom ConfigMap ${source.configMapRef.name} is not in the release`);
        if (source.secretRef && !secrets.has(source.secretRef.name)) problems.push(`${pod.owner}: envFrom Secret ${source.secretRef.name} does not exist`);
      }
      const volumes = new Set<string>((pod.spec.volumes ?? []).map((v: any) => v.name));
      for (const mount of c.volumeMounts ?? []) if (!volumes.has(mount.name)) problems.push(`${pod.owner}: ${c.name} mounts volume "${mount.name}", which the pod does not have`);
    }
    for (const v of pod.spec.volumes ?? []) {
      if (v.configMap && !configMaps.has(v.configMap.name)) problems.push(`${pod.owner}: volume ${v.name} names ConfigMap ${v.configMap.name}, not in the release`);
      if (v.secret && !secrets.has(v.secret.secretName)) problems.push(`${pod.owner}: volume ${v.name} names Secret ${v.secret.secretName}, which does not exist`);
    }
    const account = pod.spec.serviceAccountName;
    if (account && !accounts.has(account)) problems.push(`${pod.owner}: ServiceAccount ${account} does not exist`);
  }
  for (const s of all.filter((x) => x.kind === 'Service')) {
    const selected = pods.filter((p) => matches(s.spec.selector, p.labels) && !p.owner.startsWith('Job/'));
    if (!selected.length) problems.push(`Service/${s.metadata.name}: selector ${JSON.stringify(s.spec.selector)} matches no pod`);
    for (const port of s.spec.ports ?? []) {
      if (typeof port.targetPort !== 'string') continue;
      for (const p of selected) {
        if (!p.spec.containers.some((c: any) => (c.ports ?? []).some((cp: any) => cp.name === port.targetPort))) problems.push(`Service/${s.metadata.name}: targetPort "${port.targetPort}" is not a named port of ${p.owner}`);
      }
    }
  }
  for (const b of all.filter((x) => x.kind === 'PodDisruptionBudget')) {
    if (!pods.some((p) => matches(b.spec.selector?.matchLabels, p.labels) && p.owner.startsWith('Deployment/'))) problems.push(`PodDisruptionBudget/${b.metadata.name}: selector matches no Deployment's pods`);
  }
  for (const h of all.filter((x) => x.kind === 'HorizontalPodAutoscaler')) {
    const target = all.find((m) => m.kind === h.spec.scaleTargetRef.kind && m.metadata.name === h.spec.scaleTargetRef.name);
    if (!target) problems.push(`HorizontalPodAutoscaler/${h.metadata.name}: scales ${h.spec.scaleTargetRef.kind}/${h.spec.scaleTargetRef.name}, not in the release`);
    else if (target.spec.replicas !== undefined) problems.push(`HorizontalPodAutoscaler/${h.metadata.name}: its Deployment also sets replicas (every upgrade would reset the scale)`);
  }
  for (const i of all.filter((x) => x.kind === 'Ingress')) {
    for (const rule of i.spec.rules ?? []) {
      for (const path of rule.http?.paths ?? []) {
        const service = all.find((m) => m.kind === 'Service' && m.metadata.name === path.backend.service?.name);
        if (!service) problems.push(`Ingress/${i.metadata.name}: backend Service ${path.backend.service?.name} is not in the release`);
        else if (path.backend.service.port?.name && !service.spec.ports.some((p: any) => p.name === path.backend.service.port.name)) problems.push(`Ingress/${i.metadata.name}: Service ${service.metadata.name} has no port "${path.backend.service.port.name}"`);
      }
    }
  }
  for (const monitor of all.filter((x) => x.kind === 'ServiceMonitor')) {
    const services = all.filter((m) => m.kind === 'Service' && matches(monitor.spec.selector?.matchLabels, m.metadata.labels ?? {}));
    if (!services.length) problems.push(`ServiceMonitor/${monitor.metadata.name}: selector matches no Service`);
    for (const endpoint of monitor.spec.endpoints ?? []) {
      for (const s of services) if (!s.spec.ports.some((p: any) => p.name === endpoint.port)) problems.push(`ServiceMonitor/${monitor.metadata.name}: Service ${s.metadata.name} has no port "${endpoint.port}"`);
    }
  }
  for (const policy of all.filter((x) => x.kind === 'NetworkPolicy' && x.spec.podSelector?.matchLabels)) {
    if (!pods.some((p) => matches(policy.spec.podSelector.matchLabels, p.labels))) problems.push(`NetworkPolicy/${policy.metadata.name}: podSelector matches no pod of the release`);
  }
  return problems;
}
