import type { Deployment } from './deployment.js';
import { table, type Output, type Row } from './output.js';
import type { Settings } from './settings.js';

/** One flag of a command (node:util parseArgs option, plus its help text). */
export interface OptionSpec {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
  /** Shown in help after the flag, e.g. `<uri>`. */
  value?: string;
  description: string;
}

/** A string flag an admin listing passes on as a query parameter: the flag, the parameter, the value in help, the help. */
export type QueryFlag = readonly [flag: string, param: string, value: string, description: string];

/** `--limit <n>` of the admin listings. */
export const PAGE_SIZE_FLAG: QueryFlag = ['limit', 'limit', '<n>', 'page size (default 100, at most 1000)'];

/** `--offset <n>` of the admin listings that page by offset. */
export function offsetFlag(things: string): QueryFlag {
  return ['offset', 'offset', '<n>', `${things} to skip`];
}

/** The option of one query flag. */
export function queryOption([, , value, description]: QueryFlag): OptionSpec {
  return { type: 'string', value, description };
}

/** The options of query flags, by flag. */
export function queryOptions(flags: readonly QueryFlag[]): Record<string, OptionSpec> {
  return Object.fromEntries(flags.map((flag) => [flag[0], queryOption(flag)]));
}

export const PAGE_SIZE_OPTION: OptionSpec = queryOption(PAGE_SIZE_FLAG);

export function offsetOption(things: string): OptionSpec {
  return queryOption(offsetFlag(things));
}

export type OptionValues = Record<string, string | boolean | string[] | undefined>;

export interface CommandContext {
  values: OptionValues;
  /** The positional arguments after the command words, as many as `args` names. */
  args: string[];
  settings: Settings;
  deployment: Deployment;
  out: Output;
  env: NodeJS.ProcessEnv;
}

/** A command `smart-auth <group> <name>`. */
export interface Command {
  group: string;
  name: string;
  summary: string;
  /** Required positional arguments, by name (`client_id`). */
  args: string[];
  options: Record<string, OptionSpec>;
  /** More help text after the options. */
  details?: string;
  /** Exit code (0 when it returns nothing). */
  run(ctx: CommandContext): Promise<number | void>;
}

/** A string flag's value (parseArgs gives `string | undefined` for `type: 'string'`). */
export function stringValue(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

/** A repeatable string flag's values. */
export function listValue(values: OptionValues, name: string): string[] | undefined {
  const value = values[name];
  return Array.isArray(value) ? value : undefined;
}

/** The query the given flags make: each flag's value under its parameter (a flag not given leaves it out). */
export function queryOf(values: OptionValues, flags: readonly QueryFlag[]): Record<string, string | undefined> {
  return Object.fromEntries(flags.map(([flag, param]) => [param, stringValue(values, flag)]));
}

/**
 * `<group> list`: one page of an admin collection (`GET /admin/<collection>`) with the given query flags,
 * as a table of `columns` (or the JSON page with --json).
 */
export function adminListCommand(group: string, collection: string, summary: string, flags: readonly QueryFlag[], columns: ReadonlyArray<[key: string, title: string]>): Command {
  return {
    group,
    name: 'list',
    summary,
    args: [],
    options: queryOptions(flags),
    async run({ values, deployment, out }) {
      const page = await deployment.api<Record<string, Row[]>>(`/admin/${collection}`, { query: queryOf(values, flags) });
      out.result(page, () => table(page[collection] ?? [], columns));
    },
  };
}
