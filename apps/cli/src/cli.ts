import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Command, OptionSpec, OptionValues } from './command.js';
import { AUDIT_COMMANDS } from './commands/audit.commands.js';
import { CLIENT_COMMANDS } from './commands/clients.commands.js';
import { CLIENT_ADMIN_COMMANDS } from './commands/client-admin.commands.js';
import { GRANT_COMMANDS } from './commands/grants.commands.js';
import { KEY_COMMANDS } from './commands/keys.commands.js';
import { PERFORM_COMMANDS } from './commands/perform.commands.js';
import { TOKEN_COMMANDS } from './commands/token.commands.js';
import { UDAP_COMMANDS } from './commands/udap.commands.js';
import { USER_COMMANDS } from './commands/users.commands.js';
import { CommandFailure } from './command-failure.js';
import { Deployment } from './deployment.js';
import { failureOf } from './failure-of.js';
import { Output, type Writer } from './output.js';
import { DEFAULT_ISSUER, resolveSettings, type GlobalFlags } from './settings.js';
import { UsageError } from './usage-error.js';

export const COMMANDS: readonly Command[] = [
  ...CLIENT_COMMANDS,
  ...CLIENT_ADMIN_COMMANDS,
  ...USER_COMMANDS,
  ...TOKEN_COMMANDS,
  ...GRANT_COMMANDS,
  ...KEY_COMMANDS,
  ...AUDIT_COMMANDS,
  ...PERFORM_COMMANDS,
  ...UDAP_COMMANDS,
];

/** The suite's version: package.json beside dist/ (dist/apps/cli/src/cli.js → package.json), as in the container image. */
export function suiteVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : 'unknown';
}

/** Flags every command takes. */
export const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  issuer: { type: 'string', value: '<url>', description: `the suite's issuer URL (env SMART_AUTH_ISSUER, default ${DEFAULT_ISSUER})` },
  'client-id': { type: 'string', value: '<id>', description: 'client whose credentials are used: the admin client for admin commands (env SMART_AUTH_CLIENT_ID)' },
  'client-secret': { type: 'string', value: '<secret>', description: 'its secret (env SMART_AUTH_CLIENT_SECRET; prefer the file: flags are visible to other local users)' },
  'client-secret-file': { type: 'string', value: '<path>', description: 'file holding the secret (env SMART_AUTH_CLIENT_SECRET_FILE)' },
  json: { type: 'boolean', description: 'machine-readable JSON output' },
  help: { type: 'boolean', short: 'h', description: 'show help' },
  version: { type: 'boolean', description: "print the suite's version and exit" },
};

export interface CliIo {
  env: NodeJS.ProcessEnv;
  stdout: Writer;
  stderr: Writer;
}

const EXIT_OK = 0;
const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;

function optionLines(options: Record<string, OptionSpec>): string {
  const rows = Object.entries(options).map(([name, spec]) => [`${spec.short ? `-${spec.short}, ` : ''}--${name}${spec.value ? ` ${spec.value}` : ''}${spec.multiple ? ' …' : ''}`, spec.description] as const);
  const width = Math.max(...rows.map(([flag]) => flag.length));
  return rows.map(([flag, text]) => `  ${flag.padEnd(width)}  ${text}`).join('\n');
}

export function mainHelp(): string {
  const groups = [...new Set(COMMANDS.map((c) => c.group))];
  const width = Math.max(...COMMANDS.map((c) => `${c.group} ${c.name}${c.args.map((a) => ` <${a}>`).join('')}`.length));
  const lines = groups.flatMap((group) =>
    COMMANDS.filter((c) => c.group === group).map((c) => `  ${`${c.group} ${c.name}${c.args.map((a) => ` <${a}>`).join('')}`.padEnd(width)}  ${c.summary}`),
  );
  return [
    'Usage: smart-auth <command> [options]',
    '',
    'Operator tool for the SMART on FHIR authorization suite (talks to its public HTTP API).',
    '',
    'Commands:',
    ...lines,
    '',
    'Global options:',
    optionLines(GLOBAL_OPTIONS),
    '',
    'Exit codes: 0 success, 1 failure (the server refused, or could not be reached), 2 usage error.',
    "Run 'smart-auth <command> --help' for a command's options.",
    '',
  ].join('\n');
}

export function commandHelp(command: Command): string {
  return [
    `Usage: smart-auth ${command.group} ${command.name}${command.args.map((a) => ` <${a}>`).join('')} [options]`,
    '',
    command.summary,
    '',
    ...(Object.keys(command.options).length ? ['Options:', optionLines(command.options), ''] : []),
    'Global options:',
    optionLines(GLOBAL_OPTIONS),
    '',
    ...(command.details ? [command.details.trim(), ''] : []),
  ].join('\n');
}

function groupHelp(group: string): string {
  const commands = COMMANDS.filter((c) => c.group === group);
  return [`Usage: smart-auth ${group} <${commands.map((c) => c.name).join('|')}> [options]`, '', ...commands.map((c) => `  ${group} ${c.name}  ${c.summary}`), ''].join('\n');
}

/** The command words: the first two arguments that are neither flags nor a value of a global flag. */
function commandWords(argv: readonly string[]): { words: string[]; rest: string[] } {
  const valued = new Set(Object.entries(GLOBAL_OPTIONS).filter(([, s]) => s.type === 'string').map(([n]) => `--${n}`));
  const words: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    if (words.length < 2 && !arg.startsWith('-')) {
      words.push(arg);
      continue;
    }
    rest.push(arg);
    if (valued.has(arg) && i + 1 < argv.length) rest.push(argv[++i]!);
  }
  return { words, rest };
}

function parseConfig(options: Record<string, OptionSpec>): ParseArgsConfig['options'] {
  return Object.fromEntries(
    Object.entries(options).map(([name, spec]) => [name, { type: spec.type, ...(spec.multiple ? { multiple: true } : {}), ...(spec.short ? { short: spec.short } : {}) }]),
  );
}

/** Runs one command line; returns the exit code. Everything printed goes to `io`; nothing throws. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const wantsJson = argv.includes('--json');
  const out = new Output(wantsJson, io.stdout, io.stderr);
  let issuer = DEFAULT_ISSUER;
  let current: Command | undefined;
  try {
    const { words, rest } = commandWords(argv);
    const wantsHelp = rest.includes('--help') || rest.includes('-h');
    if (rest.includes('--version') && !wantsHelp) {
      out.result({ version: suiteVersion() }, () => `smart-auth ${suiteVersion()}\n`);
      return EXIT_OK;
    }
    if (words.length === 0) {
      if (wantsHelp) {
        io.stdout.write(mainHelp());
        return EXIT_OK;
      }
      throw new UsageError('no command given');
    }
    const [group, name] = words as [string, string | undefined];
    if (!COMMANDS.some((c) => c.group === group)) throw new UsageError(`unknown command "${group.slice(0, 64)}"`);
    if (name === undefined) {
      if (wantsHelp) {
        io.stdout.write(groupHelp(group));
        return EXIT_OK;
      }
      throw new UsageError(`"${group}" needs a subcommand: ${COMMANDS.filter((c) => c.group === group).map((c) => c.name).join(', ')}`, group);
    }
    current = COMMANDS.find((c) => c.group === group && c.name === name);
    if (!current) throw new UsageError(`unknown command "${group} ${name.slice(0, 64)}"`, group);
    if (wantsHelp) {
      io.stdout.write(commandHelp(current));
      return EXIT_OK;
    }
    let parsed: { values: OptionValues; positionals: string[] };
    try {
      parsed = parseArgs({ args: rest, options: parseConfig({ ...GLOBAL_OPTIONS, ...current.options }), allowPositionals: true, strict: true }) as typeof parsed;
    } catch (err: unknown) {
      // parseArgs explains at length how to pass a positional starting with '-': its first sentence is enough.
      throw new UsageError((err as Error).message.split('\n')[0]!.split('. ')[0]!);
    }
    if (parsed.positionals.length < current.args.length) throw new UsageError(`missing <${current.args[parsed.positionals.length]}>`);
    if (parsed.positionals.length > current.args.length) throw new UsageError(`unexpected argument "${parsed.positionals[current.args.length]!.slice(0, 64)}"`);
    const settings = resolveSettings(parsed.values as GlobalFlags, io.env);
    issuer = settings.issuer;
    const code = await current.run({ values: parsed.values, args: parsed.positionals, settings, deployment: new Deployment(settings), out, env: io.env });
    return code ?? EXIT_OK;
  } catch (err: unknown) {
    const failure = await failureOf(err, issuer);
    if (failure instanceof UsageError) {
      io.stderr.write(`smart-auth: ${failure.message}\n`);
      const where = current ? `${current.group} ${current.name} ` : failure.command ? `${failure.command} ` : '';
      io.stderr.write(`Run 'smart-auth ${where}--help' for usage.\n`);
      return EXIT_USAGE;
    }
    reportFailure(failure, out, io.stderr);
    return EXIT_FAILURE;
  }
}

function reportFailure(failure: CommandFailure, out: Output, stderr: Writer): void {
  if (out.json) {
    stderr.write(`${JSON.stringify({ error: failure.error, ...(failure.description ? { error_description: failure.description } : {}), ...(failure.status ? { status: failure.status } : {}) })}\n`);
  } else {
    stderr.write(`smart-auth: ${failure.error}${failure.description ? `: ${failure.description}` : ''}${failure.status ? ` (HTTP ${failure.status})` : ''}\n`);
  }
}
