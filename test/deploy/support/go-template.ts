// Go's text/template, as Helm runs it, for the deploy tests: actions with trim markers and comments,
// pipelines, variables (declared and assigned, block-scoped), if / else if / with / range (maps in key
// order) / define / template, parenthesised pipelines, and the built-in functions. Functions beyond the
// built-ins (Helm's and Sprig's) come from the caller; an unknown function is an error at parse, as in Go.
// Numbers follow Helm's values: YAML numbers are float64 (JS number, printed the Go way, 1e+06), integer
// literals and int()/len() results are int (JS bigint).

import type { Env, GoFunction, GoValue, Node, Operand, Pipeline } from './go-template-parse.js';

export { parseTemplate } from './go-template-parse.js';
export type { GoFunction, GoValue };

const isMap = (v: GoValue): v is { [key: string]: GoValue } => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Go's truth: false, 0, nil and empty strings, lists and maps are false. */
export function truth(v: GoValue): boolean {
  if (v === null || v === undefined || v === false || v === '' || v === 0 || v === 0n) return false;
  if (Array.isArray(v)) return v.length > 0;
  if (isMap(v)) return Object.keys(v).length > 0;
  return true;
}

/** fmt's %v of a float64: shortest representation, exponent form from 1e21 down to 1e+06 (Go's %g with shortest precision). */
function formatFloat(n: number): string {
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : n < 0 ? '-Inf' : 'NaN';
  const exp = n === 0 ? 0 : Math.floor(Math.log10(Math.abs(n)));
  if (exp < -4 || exp >= 6) {
    const [mantissa, e] = n.toExponential().split('e') as [string, string];
    const sign = e.startsWith('-') ? '-' : '+';
    return `${mantissa}e${sign}${e.replace(/^[+-]/, '').padStart(2, '0')}`;
  }
  return String(n);
}

/** fmt's %v. */
export function printValue(v: GoValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return formatFloat(v);
  if (typeof v === 'string' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(printValue).join(' ')}]`;
  return `map[${Object.keys(v).sort().map((k) => `${k}:${printValue(v[k])}`).join(' ')}]`;
}



type Scope = { vars: Map<string, GoValue>; parent?: Scope };

function lookup(scope: Scope, name: string): Scope | undefined {
  for (let s: Scope | undefined = scope; s; s = s.parent) if (s.vars.has(name)) return s;
  return undefined;
}

function field(value: GoValue, path: string[]): GoValue {
  let v = value;
  for (const key of path) {
    if (v === null || v === undefined) throw new Error(`nil pointer evaluating interface {}.${key}`);
    if (!isMap(v)) throw new Error(`can't evaluate field ${key} in type ${Array.isArray(v) ? 'slice' : typeof v}`);
    v = v[key];
  }
  return v;
}

/** Executes parsed nodes with `dot` as `.` and `$`. */
export function execute(nodes: Node[], dot: GoValue, env: Env): string {
  const root: Scope = { vars: new Map([['$', dot]]) };
  return run(nodes, dot, root, env);
}

function evalPipe(pipe: Pipeline, dot: GoValue, scope: Scope, env: Env): GoValue {
  let result: GoValue = undefined;
  pipe.commands.forEach((command, index) => {
    const [head, ...args] = command;
    const value = (o: Operand): GoValue => {
      if (o.kind === 'literal') return o.value;
      if (o.kind === 'call') return env.funcs[o.name]!();
      if (o.base === 'dot') return field(dot, o.path);
      if ('variable' in o.base) {
        const s = lookup(scope, o.base.variable);
        if (!s) throw new Error(`undefined variable: ${o.base.variable}`);
        return field(s.vars.get(o.base.variable), o.path);
      }
      return field(evalPipe(o.base.pipe, dot, scope, env), o.path);
    };
    const piped = index > 0 ? [result] : [];
    if (head!.kind === 'call') {
      const fn = env.funcs[head!.name]!;
      if (head!.name === 'and' || head!.name === 'or') {
        // Go 1.18: evaluated left to right, stopping at the first operand that decides.
        const operands = [...args.map((a) => () => value(a)), ...piped.map((p) => () => p)];
        let last: GoValue = undefined;
        for (const next of operands) {
          last = next();
          if (head!.name === 'and' ? !truth(last) : truth(last)) break;
        }
        result = last;
      } else result = fn(...args.map(value), ...piped);
    } else {
      if (args.length || piped.length) throw new Error(`can't give arguments to a non-function`);
      result = value(head!);
    }
  });
  if (pipe.declare) {
    const [name] = pipe.declare;
    if (pipe.assign) {
      const s = lookup(scope, name!);
      if (!s) throw new Error(`undefined variable: ${name}`);
      s.vars.set(name!, result);
    } else scope.vars.set(name!, result);
    return pipe.assign || pipe.declare ? '' : result;
  }
  return result;
}

function run(nodes: Node[], dot: GoValue, scope: Scope, env: Env): string {
  let out = '';
  for (const node of nodes) {
    if (node.kind === 'text') out += node.text;
    else if (node.kind === 'action') {
      const v = evalPipe(node.pipe, dot, scope, env);
      if (!node.pipe.declare) out += printValue(v);
    } else if (node.kind === 'template') {
      const body = env.templates.get(node.name);
      if (!body) throw new Error(`no such template "${node.name}"`);
      out += execute(body, node.pipe ? evalPipe(node.pipe, dot, scope, env) : null, env);
    } else if (node.kind === 'if' || node.kind === 'with') {
      const inner: Scope = { vars: new Map(), parent: scope };
      const v = evalPipe({ ...node.pipe, declare: undefined }, dot, inner, env);
      if (node.pipe.declare) inner.vars.set(node.pipe.declare[0]!, v);
      if (truth(v)) out += run(node.body, node.kind === 'with' ? v : dot, inner, env);
      else out += run(node.otherwise, dot, { vars: new Map(), parent: scope }, env);
    } else {
      const v = evalPipe({ ...node.pipe, declare: undefined }, dot, scope, env);
      const entries: Array<[GoValue, GoValue]> = Array.isArray(v) ? v.map((x, i) => [BigInt(i), x]) : isMap(v) ? Object.keys(v).sort().map((k) => [k, v[k]]) : [];
      if (v !== null && v !== undefined && !Array.isArray(v) && !isMap(v)) throw new Error(`range can't iterate over ${printValue(v)}`);
      if (!entries.length) out += run(node.otherwise, dot, { vars: new Map(), parent: scope }, env);
      for (const [k, x] of entries) {
        const inner: Scope = { vars: new Map(), parent: scope };
        const names = node.pipe.declare ?? [];
        if (names.length === 1) inner.vars.set(names[0]!, x);
        if (names.length === 2) {
          inner.vars.set(names[0]!, k);
          inner.vars.set(names[1]!, x);
        }
        out += run(node.body, x, inner, env);
      }
    }
  }
  return out;
}
