// The parsing half of the Go template engine (go-template.ts): text/template's lexer (trim markers,
// comments) and parser (pipelines, declarations, control structures, define / template).

export type GoValue = string | number | bigint | boolean | null | undefined | GoValue[] | { [key: string]: GoValue };
export type GoFunction = (...args: GoValue[]) => GoValue;

export type Operand =
  | { kind: 'literal'; value: GoValue }
  | { kind: 'field'; base: 'dot' | { variable: string } | { pipe: Pipeline }; path: string[] }
  | { kind: 'call'; name: string };
type Command = Operand[];
export type Pipeline = { declare?: string[]; assign?: boolean; commands: Command[] };
export type Node =
  | { kind: 'text'; text: string }
  | { kind: 'action'; pipe: Pipeline }
  | { kind: 'if' | 'with'; pipe: Pipeline; body: Node[]; otherwise: Node[] }
  | { kind: 'range'; pipe: Pipeline; body: Node[]; otherwise: Node[] }
  | { kind: 'template'; name: string; pipe?: Pipeline };
export type Env = { funcs: Record<string, GoFunction>; templates: Map<string, Node[]> };

/** The action's tokens; a field right after `)` with no space between is marked `)` + field (a field of the parenthesised value). */
function tokenize(src: string): string[] {
  const tokens: string[] = [];
  const re = /\s+|("(?:[^"\\]|\\.)*")|(`[^`]*`)|(:=|[()|=,])|(-?\d[\w.+-]*)|(\$\w*(?:\.\w+)*)|((?:\.\w+)+|\.)|([A-Za-z_]\w*(?:\.\w+)*)|(.)/gy;
  for (const m of src.matchAll(re)) {
    if (m[8] !== undefined) throw new Error(`unexpected "${m[8]}" in {{${src}}}`);
    if (/^\s+$/.test(m[0])) continue;
    if (m[0].startsWith('.') && m[0] !== '.' && tokens[tokens.length - 1] === ')' && src[m.index - 1] === ')') tokens.push(`)${m[0]}`);
    else tokens.push(m[0]);
  }
  return tokens;
}

class Parser {
  private pos = 0;
  constructor(
    private readonly tokens: string[],
    private readonly known: (name: string) => boolean,
  ) {}

  pipeline(allowDeclare: boolean): Pipeline {
    const pipe: Pipeline = { commands: [] };
    if (allowDeclare && this.tokens[this.pos]?.startsWith('$')) {
      const vars: string[] = [];
      let i = this.pos;
      while (this.tokens[i]?.startsWith('$') && !this.tokens[i]!.includes('.')) {
        vars.push(this.tokens[i]!);
        if (this.tokens[i + 1] === ',') i += 2;
        else break;
      }
      const op = this.tokens[i + 1];
      if (op === ':=' || op === '=') {
        pipe.declare = vars;
        pipe.assign = op === '=';
        this.pos = i + 2;
      }
    }
    for (;;) {
      const command: Command = [];
      while (this.pos < this.tokens.length && this.tokens[this.pos] !== '|' && this.tokens[this.pos] !== ')') command.push(this.operand());
      if (!command.length) throw new Error('missing command in pipeline');
      pipe.commands.push(command);
      if (this.tokens[this.pos] !== '|') return pipe;
      this.pos++;
    }
  }

  private operand(): Operand {
    const t = this.tokens[this.pos++]!;
    if (t === '(') {
      const pipe = this.pipeline(false);
      if (this.tokens[this.pos++] !== ')') throw new Error('unclosed parenthesis');
      const next = this.tokens[this.pos];
      const path = next?.startsWith(').') ? (this.pos++, next.slice(2).split('.')) : [];
      return { kind: 'field', base: { pipe }, path };
    }
    if (t.startsWith('"')) return { kind: 'literal', value: JSON.parse(t) as string };
    if (t.startsWith('`')) return { kind: 'literal', value: t.slice(1, -1) };
    if (/^-?\d/.test(t)) return { kind: 'literal', value: /^-?\d+$/.test(t) ? BigInt(t) : Number(t) };
    if (t === 'true' || t === 'false') return { kind: 'literal', value: t === 'true' };
    if (t === 'nil') return { kind: 'literal', value: null };
    if (t === '.') return { kind: 'field', base: 'dot', path: [] };
    if (t.startsWith('.')) return { kind: 'field', base: 'dot', path: t.slice(1).split('.') };
    if (t.startsWith('$')) {
      const [variable, ...path] = t.split('.');
      return { kind: 'field', base: { variable: variable! }, path };
    }
    if (!this.known(t)) throw new Error(`function "${t}" not defined`);
    return { kind: 'call', name: t };
  }

  done(): void {
    if (this.pos !== this.tokens.length) throw new Error(`unexpected "${this.tokens[this.pos]}"`);
  }
}

type Action = { text: string } | { action: string };

/** Where an action's `}}` is, from `from`: not inside a quoted or raw string (Go's lexer reads those whole, so `{{ "}}" }}` prints `}}`). */
function actionEnd(inner: string, from: number): number {
  for (let i = from; i < inner.length; i++) {
    const c = inner[i];
    if (c === '"' || c === '`') {
      const quoted = c === '"' ? /"(?:[^"\\\n]|\\.)*"/y : /`[^`]*`/y;
      quoted.lastIndex = i;
      if (!quoted.test(inner)) return -1;
      i = quoted.lastIndex - 1;
    } else if (c === '}' && inner[i + 1] === '}') return i;
  }
  return -1;
}

/** Splits a template into text and actions, applying the `{{- ` / ` -}}` trim markers and dropping comments. */
function lex(src: string): Action[] {
  const out: Action[] = [];
  let rest = src;
  let trimNext = false;
  while (rest.length) {
    const open = rest.indexOf('{{');
    let text = open < 0 ? rest : rest.slice(0, open);
    if (trimNext) text = text.replace(/^\s+/, '');
    if (open < 0) {
      out.push({ text });
      break;
    }
    let inner = rest.slice(open + 2);
    if (/^-\s/.test(inner)) {
      text = text.replace(/\s+$/, '');
      inner = inner.slice(1);
    }
    out.push({ text });
    const comment = /^\s*\/\*/.test(inner) ? inner.indexOf('*/') + 2 : 0;
    const close = actionEnd(inner, comment);
    if (close < 0) throw new Error('unclosed action');
    let body = inner.slice(0, close);
    trimNext = /\s-$/.test(body);
    if (trimNext) body = body.slice(0, -1);
    if (!/^\s*\/\*[\s\S]*\*\/\s*$/.test(body)) out.push({ action: body.trim() });
    rest = inner.slice(close + 2);
  }
  return out;
}

/** Parses `src`; its `define`s go into `templates`, and the top level is returned. */
export function parseTemplate(src: string, env: Env): Node[] {
  const actions = lex(src);
  let i = 0;
  const known = (name: string) => name in env.funcs;
  const parsePipe = (text: string, declare: boolean): Pipeline => {
    const parser = new Parser(tokenize(text), known);
    const pipe = parser.pipeline(declare);
    parser.done();
    return pipe;
  };
  const list = (): { nodes: Node[]; end: string } => {
    const nodes: Node[] = [];
    while (i < actions.length) {
      const a = actions[i++]!;
      if ('text' in a) {
        if (a.text) nodes.push({ kind: 'text', text: a.text });
        continue;
      }
      const [, keyword = '', rest = ''] = /^(\w+)\b\s*([\s\S]*)$/.exec(a.action) ?? [];
      if (keyword === 'end' || keyword === 'else') return { nodes, end: a.action };
      if (keyword === 'if' || keyword === 'with' || keyword === 'range') nodes.push(block(keyword, rest));
      else if (keyword === 'define') {
        const name = JSON.parse(rest) as string;
        const inner = list();
        if (inner.end !== 'end') throw new Error(`define ${name}: unexpected {{${inner.end}}}`);
        env.templates.set(name, inner.nodes);
      } else if (keyword === 'template') {
        const m = /^("(?:[^"\\]|\\.)*")\s*([\s\S]*)$/.exec(rest);
        if (!m) throw new Error(`template: bad name in {{${a.action}}}`);
        nodes.push({ kind: 'template', name: JSON.parse(m[1]!) as string, pipe: m[2] ? parsePipe(m[2], false) : undefined });
      } else nodes.push({ kind: 'action', pipe: parsePipe(a.action, true) });
    }
    return { nodes, end: '' };
  };
  const block = (kind: 'if' | 'with' | 'range', text: string): Node => {
    const pipe = parsePipe(text, true);
    const body = list();
    let otherwise: Node[] = [];
    if (body.end.startsWith('else')) {
      const chained = /^else\s+(if|with)\s+([\s\S]+)$/.exec(body.end);
      if (chained) otherwise = [block(chained[1] as 'if' | 'with', chained[2]!)];
      else {
        const rest = list();
        if (rest.end !== 'end') throw new Error(`${kind}: expected {{end}}`);
        otherwise = rest.nodes;
      }
    } else if (body.end !== 'end') throw new Error(`${kind}: expected {{end}}`);
    return { kind, pipe, body: body.nodes, otherwise } as Node;
  };
  const top = list();
  if (top.end) throw new Error(`unexpected {{${top.end}}}`);
  return top.nodes;
}
