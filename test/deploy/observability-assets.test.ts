/* eslint-disable @typescript-eslint/no-explicit-any -- rendered manifests and dashboard JSON are read field by field */
// What operators import (issue #19): the chart's PrometheusRule (prometheusRule.enabled) and the
// Grafana dashboards of deploy/grafana/. Every metric an alert or a panel queries must be a series
// the suite exports (libs/nest/src/observability/metrics.ts, plus prom-client's default process
// metrics); a misspelt name is a panel that stays empty and an alert that never fires.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { chartProblems, render } from './support/chart.js';
import { exportedSeries, metricNames } from './support/promql.js';

const root = process.cwd();
const GRAFANA = join(root, 'deploy/grafana');
/** Series Prometheus makes itself for every target. */
const PROMETHEUS_MADE = new Set(['up']);

const ruleExprs = (manifests: any[]): Array<[string, string]> =>
  manifests.filter((m) => m.kind === 'PrometheusRule').flatMap((m) => m.spec.groups.flatMap((g: any) => g.rules.map((r: any) => [r.alert ?? r.record, String(r.expr)])));

const dashboardExprs = (dashboard: any): Array<[string, string]> => dashboard.panels.flatMap((p: any) => p.targets.map((t: any) => [`${dashboard.uid}: ${p.title}`, String(t.expr)]));

const dashboards = () => readdirSync(GRAFANA).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(join(GRAFANA, f), 'utf8')));

/** `where: metric` for each metric an expression uses that no process exports. */
function unknownMetrics(exprs: Array<[string, string]>, exported: Set<string>): string[] {
  return exprs.flatMap(([where, expr]) => metricNames(expr).filter((n) => !exported.has(n) && !PROMETHEUS_MADE.has(n)).map((n) => `${where}: ${n}`));
}

describe('metric names in PromQL', () => {
  it('takes the selected metrics, not functions, keywords, label names, values or ranges', () => {
    assert.deepEqual(metricNames('histogram_quantile(0.99, sum by (le, route) (rate(http_request_duration_seconds_bucket{status=~"5..",route="/a b"}[$__rate_interval])))'), ['http_request_duration_seconds_bucket']);
    assert.deepEqual(metricNames('(sum(rate(a_total[5m])) > 0) and on() (sum(rate(b_total{x="c_total"}[15m])) == 0)'), ['a_total', 'b_total']);
    assert.deepEqual(metricNames('max by (kid) (signing_key_age_seconds) / 86400 > bool 1'), ['signing_key_age_seconds']);
  });
});

describe('alert rules (PrometheusRule) and Grafana dashboards', () => {
  it('the PrometheusRule is off by default, and on renders valid with the alerts docs/operations.md names', () => {
    assert.equal(render().some((m) => m.kind === 'PrometheusRule'), false);
    const manifests = render({ prometheusRule: { enabled: true, labels: { release: 'prom' }, auditLagEvents: 50 } });
    assert.deepEqual(chartProblems(manifests), []);
    const rule = manifests.find((m) => m.kind === 'PrometheusRule') as any;
    assert.equal(rule.metadata.labels.release, 'prom');
    const alerts = Object.fromEntries(ruleExprs(manifests));
    assert.deepEqual(Object.keys(alerts).sort(), [
      'SmartAuthActiveSigningKeyTooOld', 'SmartAuthAuditLag', 'SmartAuthAuditNotStoring', 'SmartAuthClientsFileNotApplied',
      'SmartAuthEventsDeadLettered', 'SmartAuthOutboxBacklog', 'SmartAuthServiceUnavailable', 'SmartAuthTokenErrors',
    ]);
    assert.equal(alerts.SmartAuthAuditLag, 'max by (consumer) (events_consumer_pending{namespace="smart"}) > 50');
    // Prometheus's own template syntax reaches the annotations untouched.
    const outbox = rule.spec.groups[0].rules.find((r: any) => r.alert === 'SmartAuthOutboxBacklog');
    assert.match(outbox.annotations.summary, /\{\{ \$labels\.service \}\}/);
    // Every alert the operations guide recommends is there, by the metric it names.
    const ops = readFileSync(join(root, 'docs/operations.md'), 'utf8');
    const prose = /Worth alerting on:([\s\S]*?)\n\n/.exec(ops)![1]!;
    const used = new Set(Object.values(alerts).flatMap(metricNames));
    for (const [, name] of prose.matchAll(/`([a-z_]+)(?:\{[^`]*\})?`/g)) assert.ok(used.has(name!), `an alert on ${name}`);
  });

  it('the dashboards are what tools/grafana-dashboards.mjs makes (regenerate them when it changes), and cover what issue #19 asks', async () => {
    const tool = (await import(join(root, 'tools/grafana-dashboards.mjs'))) as { dashboardFiles: () => Record<string, string> };
    const files = tool.dashboardFiles();
    assert.deepEqual(readdirSync(GRAFANA).filter((f) => f.endsWith('.json')).sort(), Object.keys(files).sort());
    for (const [name, text] of Object.entries(files)) assert.ok(readFileSync(join(GRAFANA, name), 'utf8') === text, `deploy/grafana/${name} is stale: run node tools/grafana-dashboards.mjs`);
    const used = new Set(dashboards().flatMap((d) => dashboardExprs(d).flatMap(([, e]) => metricNames(e))));
    for (const m of ['http_requests_total', 'http_request_duration_seconds_bucket', 'oauth_tokens_issued_total', 'outbox_backlog_events', 'events_consumer_pending', 'signing_key_age_seconds', 'nats_request_duration_seconds_count', 'database_transaction_retries_total']) {
      assert.ok(used.has(m), `a panel on ${m}`);
    }
    for (const d of dashboards()) {
      assert.equal(new Set(d.panels.map((p: any) => p.id)).size, d.panels.length, `${d.uid}: panel ids unique`);
      for (const p of d.panels) assert.equal(p.datasource.uid, '${datasource}', `${d.uid}: ${p.title} uses the datasource variable`);
    }
  });

  it('every metric a rule or a panel queries is a series the suite exports', async () => {
    const exported = await exportedSeries();
    assert.ok(exported.has('events_consumer_pending') && exported.has('process_cpu_seconds_total') && exported.has('http_request_duration_seconds_bucket'));
    const rules = ruleExprs(render({ prometheusRule: { enabled: true } }));
    const panels = dashboards().flatMap(dashboardExprs);
    assert.ok(rules.length >= 8 && panels.length >= 20);
    assert.deepEqual(unknownMetrics([...rules, ...panels], exported), []);
  });

  it('the check fails on a misspelt metric, in a rule and in a panel', async () => {
    const exported = await exportedSeries();
    const rules = ruleExprs(render({ prometheusRule: { enabled: true } }));
    const misspelt = rules.map(([a, e]): [string, string] => [a, e.replace('outbox_backlog_events', 'outbox_backlog_event')]);
    assert.deepEqual(unknownMetrics(misspelt, exported), ['SmartAuthOutboxBacklog: outbox_backlog_event']);
    const panels = dashboards().flatMap(dashboardExprs).map(([w, e]): [string, string] => [w, e.replace('oauth_tokens_issued_total', 'oauth_token_issued_total')]);
    assert.ok(unknownMetrics(panels, exported).some((p) => p.endsWith(': oauth_token_issued_total')));
    // A histogram's family name alone is not a series.
    assert.deepEqual(unknownMetrics([['x', 'rate(http_request_duration_seconds[5m])']], exported), ['x: http_request_duration_seconds']);
  });
});
