// The metric names a PromQL expression selects, and the series names the suite's processes export,
// for the check that dashboards and alert rules query only what exists.
import { Registry } from 'prom-client';
import { SuiteMetrics } from '../../../libs/nest/src/observability/metrics.js';

const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan', 'atan2']);

/** The metric names `expr` selects (not functions, aggregations, keywords, label names or values). */
export function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""') // strings
    .replace(/\{[^}]*\}/g, ' ') // label matchers
    .replace(/\[[^\]]*\]/g, ' ') // ranges and subqueries
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' '); // label lists
  const names = new Set<string>();
  for (const m of bare.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const after = bare.slice(m.index + m[0].length);
    if (/^\s*\(/.test(after) || KEYWORDS.has(m[0].toLowerCase())) continue;
    names.add(m[0]);
  }
  return [...names];
}

/**
 * Every series name a process of the suite can export: the families SuiteMetrics defines (each of its
 * accessors asked once, so each registers) and prom-client's default process metrics, histograms with
 * their `_bucket`, `_sum` and `_count` series (not the family name).
 */
export async function exportedSeries(): Promise<Set<string>> {
  const metrics = new SuiteMetrics();
  const accessors = Object.entries(Object.getOwnPropertyDescriptors(SuiteMetrics.prototype))
    .filter(([, d]) => typeof d.get === 'function')
    .map(([name]) => name);
  for (const name of accessors) void (metrics as unknown as Record<string, unknown>)[name];
  const families = await (metrics.registry as Registry).getMetricsAsJSON();
  const series = new Set<string>();
  for (const { name, type } of families) {
    if (String(type) === 'histogram') for (const s of ['_bucket', '_sum', '_count']) series.add(name + s);
    else series.add(name);
    if (String(type) === 'summary') for (const s of ['_sum', '_count']) series.add(name + s);
  }
  return series;
}
