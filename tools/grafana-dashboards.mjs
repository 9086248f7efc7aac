#!/usr/bin/env node
// Writes the Grafana dashboards of deploy/grafana/ (issue #19): `node tools/grafana-dashboards.mjs`.
// Each panel is one line below; test/deploy/observability-assets.test.ts checks that the committed
// files are what this makes and that every metric they query is one the suite exports.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const RATE = '$__rate_interval';
const rate = (metric, by, filter = '') => `sum by (${by}) (rate(${metric}${filter ? `{${filter}}` : ''}[${RATE}]))`;
const quantile = (q, metric, by, filter = '') => `histogram_quantile(${q}, sum by (le${by ? `, ${by}` : ''}) (rate(${metric}_bucket${filter ? `{${filter}}` : ''}[${RATE}])))`;

/** A time series panel: [expr, legend] targets, a unit, a width. */
const panel = (title, unit, targets, { w = 12, description } = {}) => ({ title, unit, targets, w, description });

const DASHBOARDS = {
  'smart-auth-traffic': {
    title: 'smart-auth: traffic, latency, errors, tokens, logins',
    panels: [
      panel('Requests per second by route', 'reqps', [[rate('http_requests_total', 'route'), '{{route}}']]),
      panel('Responses per second by status', 'reqps', [[rate('http_requests_total', 'status'), '{{status}}']]),
      panel('Latency p99 by route (gateway)', 's', [[quantile(0.99, 'http_request_duration_seconds', 'route'), '{{route}}']]),
      panel('Latency p50 and p99 (all routes)', 's', [[quantile(0.5, 'http_request_duration_seconds', ''), 'p50'], [quantile(0.99, 'http_request_duration_seconds', ''), 'p99']]),
      panel('Server errors (5xx) share', 'percentunit', [[`sum(rate(http_requests_total{status=~"5.."}[${RATE}])) / sum(rate(http_requests_total[${RATE}]))`, '5xx']]),
      panel('Refused: rate limits (429) and admission (503) per second', 'reqps', [[rate('http_requests_total', 'route', 'status="429"'), '429 {{route}}'], [rate('gateway_admission_rejected_total', 'class'), 'admission {{class}}']]),
      panel('Tokens issued per second by grant', 'reqps', [[rate('oauth_tokens_issued_total', 'grant_type'), '{{grant_type}}']]),
      panel('Token request errors per second by error code', 'reqps', [[rate('oauth_token_requests_total', 'grant_type, result', 'result!="success"'), '{{grant_type}} {{result}}']]),
      panel('Token service time p99 by grant', 's', [[quantile(0.99, 'oauth_token_issue_duration_seconds', 'grant_type'), '{{grant_type}}']]),
      panel('Introspections and revocations per second', 'reqps', [[rate('oauth_introspections_total', 'active'), 'active={{active}}'], [`sum(rate(oauth_tokens_revoked_total[${RATE}]))`, 'revoked']]),
      panel('Sign-in form posts per second by status', 'reqps', [[rate('http_requests_total', 'route, status', 'route=~".*/login",method="POST"'), '{{route}} {{status}}']], { description: 'POST /interaction/:id/login, /admin/login, /account/login, /launcher/login: a 303 signed in, a 200 page shows an error, 429 is the address rate limit.' }),
      panel('Admission: in flight and open places by class', 'short', [['sum by (class) (gateway_admission_in_flight)', 'in flight {{class}}'], ['sum by (class) (gateway_admission_open)', 'open {{class}}']]),
    ],
  },
  'smart-auth-events-keys': {
    title: 'smart-auth: outbox, audit, events and keys',
    panels: [
      panel('Outbox backlog by service', 'short', [['max by (service) (outbox_backlog_events)', '{{service}}']], { description: 'Events written and not yet published to JetStream; above 0 for minutes: NATS is not taking events.' }),
      panel('Audit consumer lag (events pending)', 'short', [['max by (consumer) (events_consumer_pending)', '{{consumer}}']], { description: 'JetStream num_pending + num_ack_pending of the durable consumer.' }),
      panel('Audit events stored per second', 'ops', [[`sum(rate(audit_events_stored_total[${RATE}]))`, 'stored'], [`sum(rate(oauth_tokens_issued_total[${RATE}]))`, 'tokens issued']]),
      panel('Dead letters (last hour) by kind', 'short', [['sum by (kind) (increase(events_dead_lettered_total[1h]))', '{{kind}}']]),
      panel('Signing key age by key and state', 's', [['max by (kid, alg, state) (signing_key_age_seconds)', '{{alg}} {{state}} {{kid}}']], { description: 'The active key older than KEY_ROTATION_INTERVAL plus a day: rotation stopped.' }),
      panel('Clients file reconciles (last hour)', 'short', [['sum by (trigger, result) (increase(clients_file_reconciles_total[1h]))', '{{trigger}} {{result}}'], ['sum by (change) (increase(clients_file_changes_total[1h]))', '{{change}}']]),
    ],
  },
  'smart-auth-dependencies': {
    title: 'smart-auth: NATS, database and processes',
    panels: [
      panel('NATS requests per second by outcome', 'reqps', [[rate('nats_request_duration_seconds_count', 'outcome'), '{{outcome}}']], { description: 'unavailable: no responder, no answer in time or no NATS connection (clients get 503).' }),
      panel('NATS requests unavailable by subject', 'reqps', [[rate('nats_request_duration_seconds_count', 'subject', 'outcome="unavailable"'), '{{subject}}']]),
      panel('NATS round trip p99 by subject', 's', [[quantile(0.99, 'nats_request_duration_seconds', 'subject', 'outcome="ok"'), '{{subject}}']]),
      panel('Database transactions run again by reason', 'ops', [[rate('database_transaction_retries_total', 'reason'), '{{reason}}']], { description: 'connection: PostgreSQL dropped connections; conflict: serialization failures or deadlocks. Unreachable PostgreSQL also shows as 503s and /health/ready failing.' }),
      panel('Scrape targets up', 'short', [['sum by (job) (up)', '{{job}}']]),
      panel('CPU by pod', 'percentunit', [[rate('process_cpu_seconds_total', 'pod'), '{{pod}}']]),
      panel('Resident memory by pod', 'bytes', [['max by (pod) (process_resident_memory_bytes)', '{{pod}}']]),
      panel('Event loop lag p99 by pod', 's', [['max by (pod) (nodejs_eventloop_lag_p99_seconds)', '{{pod}}']]),
    ],
  },
};

/** The dashboard JSON (Grafana schema 39) for `uid`. */
function dashboard(uid, { title, panels }) {
  let x = 0;
  let y = 0;
  const laid = panels.map((p, i) => {
    if (x + p.w > 24) {
      x = 0;
      y += 8;
    }
    const gridPos = { h: 8, w: p.w, x, y };
    x += p.w;
    return {
      id: i + 1,
      type: 'timeseries',
      title: p.title,
      ...(p.description ? { description: p.description } : {}),
      datasource: { type: 'prometheus', uid: '${datasource}' },
      gridPos,
      fieldConfig: { defaults: { unit: p.unit }, overrides: [] },
      options: { legend: { displayMode: 'list', placement: 'bottom', showLegend: true }, tooltip: { mode: 'multi', sort: 'desc' } },
      targets: p.targets.map(([expr, legendFormat], t) => ({ refId: String.fromCharCode(65 + t), datasource: { type: 'prometheus', uid: '${datasource}' }, expr, legendFormat })),
    };
  });
  return {
    uid,
    title,
    tags: ['smart-auth'],
    editable: true,
    schemaVersion: 39,
    timezone: 'browser',
    refresh: '30s',
    time: { from: 'now-6h', to: 'now' },
    templating: { list: [{ name: 'datasource', label: 'Prometheus', type: 'datasource', query: 'prometheus', current: {}, hide: 0 }] },
    panels: laid,
  };
}

/** File name → file text of every dashboard. */
export function dashboardFiles() {
  return Object.fromEntries(Object.entries(DASHBOARDS).map(([uid, d]) => [`${uid}.json`, `${JSON.stringify(dashboard(uid, d), null, 2)}\n`]));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const [name, text] of Object.entries(dashboardFiles())) writeFileSync(new URL(`../deploy/grafana/${name}`, import.meta.url), text);
}
