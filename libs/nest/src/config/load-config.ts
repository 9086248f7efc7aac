import { readFileSync } from 'node:fs';
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';

/** Thrown at start-up with one line per wrong or missing setting. */
export class ConfigurationError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigurationError';
  }
}

function describe(errors: ValidationError[]): string[] {
  return errors.flatMap((e) =>
    Object.values(e.constraints ?? {}).map((message) => `${e.property}: ${message}`),
  );
}

/**
 * Reads a typed, validated configuration class from the environment.
 * Properties are named exactly like the environment variables. Every
 * `*_FILE` variant is honoured: `FOO_FILE=/run/secrets/foo` sets `FOO`.
 */
export function loadConfig<T extends object>(cls: new () => T, env: NodeJS.ProcessEnv = process.env, readFile: (path: string) => string = (p) => readFileSync(p, 'utf8')): T {
  const known = new Set(Object.keys(new cls()));
  const source: Record<string, string> = {};
  const problems: string[] = [];
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined || value === '' || !known.has(key)) continue;
    source[key] = value;
  }
  for (const name of known) {
    const file = env[`${name}_FILE`];
    if (source[name] !== undefined || !file) continue;
    try {
      source[name] = readFile(file).trim();
    } catch (err: unknown) {
      problems.push(`${name}_FILE: cannot read ${file}: ${(err as Error).message}`);
    }
  }
  if (problems.length > 0) throw new ConfigurationError(problems);
  const instance = plainToInstance(cls, source, { enableImplicitConversion: false, exposeDefaultValues: true });
  const errors = validateSync(instance, { whitelist: false, forbidUnknownValues: false });
  if (errors.length > 0) throw new ConfigurationError(describe(errors));
  return instance;
}
