/** Something to write text to (process.stdout, a test's buffer). */
export interface Writer {
  write(text: string): unknown;
}

export type Row = Record<string, unknown>;

/** A cell as text: absent is "-", lists are comma-separated, objects are JSON. */
export function cell(value: unknown): string {
  if (value === undefined || value === null || value === '') return '-';
  if (Array.isArray(value)) return value.length === 0 ? '-' : value.map((v) => cell(v)).join(',');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** A plain-text table: a header line, then one line per row, columns padded to their widest cell. */
export function table(rows: readonly Row[], columns: ReadonlyArray<[key: string, title: string]>): string {
  if (rows.length === 0) return '(none)\n';
  const lines = [columns.map(([, title]) => title), ...rows.map((row) => columns.map(([key]) => cell(row[key]).replace(/\s+/g, ' ')))];
  const widths = columns.map((_, i) => Math.max(...lines.map((line) => line[i]!.length)));
  return lines.map((line) => line.map((text, i) => (i === line.length - 1 ? text : text.padEnd(widths[i]!))).join('  ')).join('\n') + '\n';
}

/** `name  value` lines, names padded, for one object. */
export function fields(pairs: ReadonlyArray<[name: string, value: unknown]>): string {
  const shown = pairs.filter(([, v]) => v !== undefined);
  const width = Math.max(0, ...shown.map(([name]) => name.length));
  return shown.map(([name, value]) => `${name.padEnd(width)}  ${cell(value)}`).join('\n') + '\n';
}

/** A token shown without giving it away: its first characters and its length. */
export function maskToken(token: string): string {
  return token.length <= 12 ? `…(${token.length} chars)` : `${token.slice(0, 6)}…(${token.length} chars)`;
}

/** What a command prints: JSON with `--json`, text otherwise; messages for people go to stderr. */
export class Output {
  constructor(
    readonly json: boolean,
    private readonly stdout: Writer,
    private readonly stderr: Writer,
  ) {}

  /** The command's result: `value` as JSON, or the text `human` renders. */
  result(value: unknown, human: () => string): void {
    this.stdout.write(this.json ? `${JSON.stringify(value, null, 2)}\n` : human());
  }

  /** A line for the person at the terminal (progress, hints), never part of the result. */
  note(line: string): void {
    this.stderr.write(`${line}\n`);
  }
}
