// `helm template` for the deploy tests, without a helm binary: values.yaml coalesced with the
// given values the way Helm does (maps merge, null deletes a key), checked against
// values.schema.json (JSON Schema draft-07, as Helm checks it), then every template rendered by
// the Go template engine in go-template.ts with the functions the chart uses: Helm's `include`
// and `required`, and Sprig's, implemented here as Sprig defines them.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import Ajv from 'ajv';
import { parse as parseYaml, parseAllDocuments, stringify as toYamlText } from 'yaml';
import { execute, parseTemplate, printValue, truth, type GoFunction, type GoValue } from './go-template.js';

export type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
};
export type Rendered = { manifests: Manifest[]; notes: string; files: Record<string, string> };
type Map = { [key: string]: GoValue };

const isMap = (v: unknown): v is Map => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Helm's coalescing of user values over the chart's: maps merge, anything else replaces, null removes the key. */
export function coalesce(base: GoValue, over: GoValue): GoValue {
  if (!isMap(base) || !isMap(over)) return over === undefined ? base : over;
  const out: Map = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === null) delete out[k];
    else out[k] = coalesce(base[k], v);
  }
  return out;
}

/** fmt.Sprintf for the verbs templates use: %s %v %d %q %%. */
function sprintf(format: string, args: GoValue[]): string {
  let i = 0;
  return format.replace(/%([svdq%])/g, (_, verb: string) => {
    if (verb === '%') return '%';
    const arg = args[i++];
    if (verb === 'q') return JSON.stringify(printValue(arg));
    if (verb === 'd') return typeof arg === 'bigint' || (typeof arg === 'number' && Number.isInteger(arg)) ? String(arg) : `%!d(${printValue(arg)})`;
    return printValue(arg);
  });
}

/** Sprig's empty (and Go's truth): nil, false, 0, "" and empty collections. */
const empty = (v: GoValue) => !truth(v);

/** cast.ToInt, as Sprig's int / int64: floats truncate, strings parse, nil is 0. */
function toInt(v: GoValue): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return BigInt(Math.trunc(v));
  if (typeof v === 'boolean') return v ? 1n : 0n;
  if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) return BigInt(v.trim());
  return 0n;
}

/** Plain JSON data for toYaml / toJson (ints as numbers; Go marshals both without exponent below 1e21). */
function plain(v: GoValue): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(plain);
  if (isMap(v)) return Object.fromEntries(Object.keys(v).sort().map((k) => [k, plain(v[k])]));
  return v ?? null;
}

/** text/template's built-ins, Helm's `include` / `required` / `toYaml` and the Sprig functions the chart uses, as Go defines them. */
export function sprig(include: (name: string, data: GoValue) => string): Record<string, GoFunction> {
  const compare = (op: (a: number, b: number) => boolean) => (a: GoValue, b: GoValue) => op(Number(a), Number(b));
  const same = (a: GoValue, b: GoValue) => (typeof a === 'bigint' || typeof b === 'bigint' ? Number(a) === Number(b) : a === b);
  return {
    // text/template built-ins (and / or are evaluated lazily by the engine)
    and: () => null,
    or: () => null,
    not: (v) => !truth(v),
    eq: (a, ...bs) => bs.some((b) => same(a, b)),
    ne: (a, b) => !same(a, b),
    lt: compare((a, b) => a < b),
    le: compare((a, b) => a <= b),
    gt: compare((a, b) => a > b),
    ge: compare((a, b) => a >= b),
    len: (v) => BigInt(typeof v === 'string' || Array.isArray(v) ? v.length : isMap(v) ? Object.keys(v).length : 0),
    index: (v, ...keys) => keys.reduce<GoValue>((o, k) => (Array.isArray(o) ? o[Number(k)] : isMap(o) ? o[String(k)] : undefined), v),
    // fmt.Sprint: a space between operands when neither is a string.
    print: (...args) => args.map((a, i) => (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string' ? ' ' : '') + printValue(a)).join(''),
    printf: (format, ...args) => sprintf(String(format), args),
    // Helm
    include: (name, data) => include(String(name), data),
    required: (message, v) => {
      if (v === null || v === undefined || v === '') throw new Error(String(message));
      return v;
    },
    fail: (message) => {
      throw new Error(String(message));
    },
    toYaml: (v) => toYamlText(plain(v), { lineWidth: 0, indentSeq: false }).replace(/\n$/, ''),
    // Sprig
    default: (fallback, ...given) => (given.length === 0 || empty(given[0]) ? fallback : given[0]),
    empty: (v) => empty(v),
    ternary: (whenTrue, whenFalse, test) => {
      // Sprig's ternary takes a bool: Go refuses a string or a map there ("wrong type for value; expected bool").
      if (typeof test !== 'boolean') throw new Error(`wrong type for value; expected bool; got ${typeof test}`);
      return test ? whenTrue : whenFalse;
    },
    quote: (...args) => args.filter((a) => a !== null && a !== undefined).map((a: GoValue) => JSON.stringify(printValue(a))).join(' '),
    toString: (v: GoValue) => printValue(v),
    toJson: (v) => JSON.stringify(plain(v)).replace(/[<>&]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`),
    int: (v) => toInt(v),
    int64: (v) => toInt(v),
    indent: (n, text) => String(text).replace(/^/gm, ' '.repeat(Number(n))),
    nindent: (n, text) => '\n' + String(text).replace(/^/gm, ' '.repeat(Number(n))),
    sha256sum: (text) => createHash('sha256').update(String(text)).digest('hex'),
    dict: (...pairs) => {
      const out: Map = {};
      for (let i = 0; i < pairs.length; i += 2) out[String(pairs[i])] = pairs[i + 1];
      return out;
    },
    list: (...items) => items,
  };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** The values Helm would render with: values.yaml coalesced with `overrides`, refused when values.schema.json refuses them. */
export function chartValues(chartDir: string, overrides: Map = {}): Map {
  const values = coalesce(parseYaml(readFileSync(join(chartDir, 'values.yaml'), 'utf8')) as GoValue, overrides) as Map;
  const schema = JSON.parse(readFileSync(join(chartDir, 'values.schema.json'), 'utf8')) as object;
  const validate = new Ajv.default({ allErrors: true, strict: false }).compile(schema);
  if (!validate(values)) {
    const reasons = (validate.errors ?? []).map((e) => `- ${e.instancePath || '(root)'}: ${e.message}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`);
    throw new Error(`values don't meet the specifications of the schema(s) in the following chart(s):\n${reasons.join('\n')}`);
  }
  return values;
}

/** Renders the chart as `helm template rel <chart> -n smart -f <overrides>` (helm test hooks included). */
export function renderChart(chartDir: string, overrides: Map = {}, release = { Name: 'rel', Namespace: 'smart' }): Rendered {
  const chart = parseYaml(readFileSync(join(chartDir, 'Chart.yaml'), 'utf8')) as { name: string; version: string; appVersion: string };
  const values = chartValues(chartDir, overrides);
  const templates = new Map<string, ReturnType<typeof parseTemplate>>();
  const env = { funcs: {} as Record<string, GoFunction>, templates };
  env.funcs = sprig((name, data) => {
    const body = templates.get(name);
    if (!body) throw new Error(`include: no template "${name}"`);
    return execute(body, data, env);
  });
  const basePath = `${chart.name}/templates`;
  const paths = filesUnder(join(chartDir, 'templates')).sort();
  for (const path of paths) {
    const name = `${chart.name}/${relative(chartDir, path)}`;
    try {
      templates.set(name, parseTemplate(readFileSync(path, 'utf8'), env));
    } catch (e: unknown) {
      throw new Error(`parse error in ${name}: ${(e as Error).message}`);
    }
  }
  const files: Record<string, string> = {};
  const manifests: Manifest[] = [];
  let notes = '';
  for (const path of paths) {
    const name = `${chart.name}/${relative(chartDir, path)}`;
    const file = relative(join(chartDir, 'templates'), path);
    if (file.split('/').pop()!.startsWith('_')) continue;
    const data: Map = {
      Values: values,
      Chart: { Name: chart.name, Version: chart.version, AppVersion: chart.appVersion },
      Release: { ...release, Service: 'Helm', Revision: 1n, IsInstall: true, IsUpgrade: false },
      Template: { Name: name, BasePath: basePath },
    };
    let text: string;
    try {
      text = execute(templates.get(name)!, data, env);
    } catch (e: unknown) {
      throw new Error(`execution error at (${name}): ${(e as Error).message}`);
    }
    files[file] = text;
    if (file === 'NOTES.txt') {
      notes = text;
      continue;
    }
    for (const doc of parseAllDocuments(text)) {
      if (doc.errors.length) throw new Error(`${file}: YAML parse error: ${doc.errors.join('; ')}\n${text}`);
      const manifest = doc.toJS() as Manifest | null;
      if (manifest !== null) manifests.push(manifest);
    }
  }
  return { manifests, notes, files };
}
