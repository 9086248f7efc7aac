// The smart-auth chart for the deploy tests: rendered with the values of a minimal valid
// installation under the given ones, and everything the API server and a running cluster would object to.
import { join } from 'node:path';
import type { GoValue } from './go-template.js';
import { coalesce, renderChart, type Manifest, type Rendered } from './helm.js';
import { schemaProblems } from './kubernetes.js';
import { referenceProblems } from './references.js';

export const CHART_DIR = join(process.cwd(), 'deploy/helm/smart-auth');

/** The least an installation must set when the chart creates its own Secret. */
export const MINIMAL = {
  secrets: {
    databaseUrl: 'postgres://smart:pw@pg-rw.db:5432/smart',
    keyEncryptionKey: 'a2V5LWVuY3J5cHRpb24ta2V5LW9mLTMyLWJ5dGVzLiE=',
    adminClientSecret: 'admin-secret-of-the-minimal-values',
  },
};

type Values = { [key: string]: GoValue };

/** The chart rendered with MINIMAL under `overrides` (helm template rel -n smart -f minimal.yaml -f overrides.yaml). */
export function renderFull(overrides: Values = {}): Rendered {
  return renderChart(CHART_DIR, coalesce(MINIMAL as Values, overrides) as Values);
}

export function render(overrides: Values = {}): Manifest[] {
  return renderFull(overrides).manifests;
}

/** Schema problems (unknown fields included) and broken references of a rendered release; `externalSecrets` exist outside it. */
export function chartProblems(manifests: Manifest[], externalSecrets: string[] = []): string[] {
  return [...manifests.flatMap(schemaProblems), ...referenceProblems(manifests, { secrets: externalSecrets })];
}

export const find = (manifests: Manifest[], kind: string, name: string) => manifests.find((m) => m.kind === kind && m.metadata.name === name) as (Manifest & { spec: any; data: any; stringData: any }) | undefined; // eslint-disable-line @typescript-eslint/no-explicit-any -- read field by field by the tests
