/* eslint-disable @typescript-eslint/no-explicit-any -- the rendered manifests are untyped YAML read field by field; chart.test.ts checks them against the Kubernetes schemas */
// The chart's NetworkPolicies against what the services fetch: every service whose code fetches URLs
// outside the cluster (client jwks_uri documents, software-statement issuers' keys, CRLs of UDAP
// certificates, the upstream OpenID provider) must keep the egress that takes, read from the sources
// so a service that starts fetching is caught too.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { BlockList, isIP } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { find, render } from './support/chart.js';

const root = process.cwd();
const SERVICES = readdirSync(join(root, 'apps')).filter((s) => s !== 'suite' && s !== 'cli').sort();

/** What a service's code fetches outside, by the code that does it. */
const FETCHES: ReadonlyArray<{ what: string; marker: RegExp; ports: number[]; udapOnly?: boolean }> = [
  // Client authentication with private_key_jwt: the client's jwks_uri (https).
  { what: 'client jwks_uri', marker: /\bclientAssertionVerifierProvider\(|\bnew JwksUriFetcher\(/, ports: [443] },
  // Trust tiers: the software-statement issuers' jwks_uri (jose's remote JWK Set).
  { what: 'software-statement issuer keys', marker: /\bcreateRemoteJWKSet\(/, ports: [443] },
  // Login through an upstream OpenID Connect provider.
  { what: 'upstream OpenID provider', marker: /from 'openid-client'/, ports: [443] },
  // UDAP: the CRLs of client certificates (RFC 5280 §4.2.1.13: usually plain http), at registration and at client authentication.
  { what: 'UDAP CRLs', marker: /\bclientAssertionVerifierProvider\(|\bnew CrlFetcher\(/, ports: [80, 443], udapOnly: true },
];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') && !path.endsWith('.spec.ts') && !path.endsWith('.fixtures.ts') ? [readFileSync(path, 'utf8')] : [];
  });
}

/** Per service, the outside fetches its sources make. */
const fetchesOf = new Map(SERVICES.map((service) => {
  const code = sources(join(root, 'apps', service, 'src'));
  return [service, FETCHES.filter((f) => code.some((text) => f.marker.test(text)))] as const;
}));

/** Whether a NetworkPolicy selector selects a pod with these labels (matchLabels and matchExpressions). */
function selects(selector: any, labels: Record<string, string>): boolean {
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpressions = (selector.matchExpressions ?? []).every((e: any) => {
    if (e.operator === 'In') return e.values.includes(labels[e.key]);
    if (e.operator === 'NotIn') return !e.values.includes(labels[e.key]);
    if (e.operator === 'Exists') return e.key in labels;
    return !(e.key in labels);
  });
  return byLabels && byExpressions;
}

function inCidr(ip: string, cidr: string): boolean {
  const [net, prefix] = cidr.split('/');
  const list = new BlockList();
  const family = isIP(net!) === 6 ? 'ipv6' : 'ipv4';
  list.addSubnet(net!, Number(prefix), family);
  return list.check(ip, family);
}

/** Whether the release's NetworkPolicies let the pod with `labels` open TCP `port` on the public address `ip`. */
function egressAllows(manifests: any[], labels: Record<string, string>, ip: string, port: number): boolean {
  const policies = manifests.filter((m) => m.kind === 'NetworkPolicy' && m.spec.policyTypes?.includes('Egress') && selects(m.spec.podSelector, labels));
  // A pod no egress policy selects may go anywhere; one that some select, only where one of them allows.
  if (policies.length === 0) return true;
  return policies.some((p) =>
    (p.spec.egress ?? []).some((rule: any) => {
      const portAllowed = !rule.ports || rule.ports.some((r: any) => (r.protocol ?? 'TCP') === 'TCP' && (r.port === undefined || r.port === port));
      const peerAllowed = !rule.to || rule.to.some((peer: any) => peer.ipBlock && inCidr(ip, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some((c: string) => inCidr(ip, c)));
      return portAllowed && peerAllowed;
    }),
  );
}

/** A public address (TEST-NET-3): where a jwks_uri, a CRL or an upstream provider would be. */
const OUTSIDE = '203.0.113.10';

describe('Helm chart: egress for what the services fetch', () => {
  it('finds the fetching services in the sources (the markers still match)', () => {
    const fetching = [...fetchesOf].filter(([, f]) => f.length > 0).map(([s]) => s);
    assert.deepEqual(fetching, ['authorization', 'introspection', 'registration', 'token']);
    assert.deepEqual(fetchesOf.get('registration')!.map((f) => f.what), ['client jwks_uri', 'software-statement issuer keys', 'UDAP CRLs']);
  });

  for (const udap of [false, true]) {
    it(`lets every service reach what it fetches outside, with UDAP ${udap ? 'on' : 'off'}`, async () => {
      const pem = (label: string) => `-----BEGIN ${label}-----\nMIIB\n-----END ${label}-----\n`;
      const manifests = render(udap ? { udap: { enabled: true, trustAnchors: pem('CERTIFICATE'), serverCertificate: pem('CERTIFICATE'), serverKey: pem('PRIVATE KEY') } } : {});
      const missing: string[] = [];
      for (const [service, fetches] of fetchesOf) {
        const labels = find(manifests, 'Deployment', `rel-${service}`)!.spec.template.metadata.labels as Record<string, string>;
        for (const fetch of fetches.filter((f) => udap || !f.udapOnly)) {
          for (const port of fetch.ports) if (!egressAllows(manifests, labels, OUTSIDE, port)) missing.push(`${service}: ${fetch.what} (TCP ${port})`);
        }
        // Private addresses stay closed to them (SSRF: the code refuses them too).
        if (egressAllows(manifests, labels, '10.0.0.7', 443)) missing.push(`${service}: reaches a private address on 443`);
      }
      assert.deepEqual(missing, []);
    });
  }

  it('gives no outside egress to the services that fetch nothing, nor any when allowExternalHttps is off and UDAP is off', async () => {
    const manifests = render();
    for (const [service, fetches] of fetchesOf) {
      if (fetches.length > 0) continue;
      const labels = find(manifests, 'Deployment', `rel-${service}`)!.spec.template.metadata.labels as Record<string, string>;
      assert.equal(egressAllows(manifests, labels, OUTSIDE, 443), false, service);
    }
    const closed = render({ networkPolicy: { allowExternalHttps: false } });
    const token = find(closed, 'Deployment', 'rel-token')!.spec.template.metadata.labels as Record<string, string>;
    assert.equal(egressAllows(closed, token, OUTSIDE, 443), false);
  });
});
