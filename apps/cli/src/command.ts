import type { Deployment } from './deployment.js';
import type { Output } from './output.js';
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

/** `--limit <n>` of the admin listings. */
export const PAGE_SIZE_OPTION: OptionSpec = { type: 'string', value: '<n>', description: 'page size (default 100, at most 1000)' };

/** `--offset <n>` of the admin listings that page by offset. */
export function offsetOption(things: string): OptionSpec {
  return { type: 'string', value: '<n>', description: `${things} to skip` };
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
