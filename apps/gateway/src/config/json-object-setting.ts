import { ConfigurationError } from '#nest';

/** A JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Fails start-up with one problem of the setting `name`: `NAME: problem`. */
export function settingProblem(name: string): (problem: string) => never {
  return (problem) => {
    throw new ConfigurationError([`${name}: ${problem}`]);
  };
}

/**
 * The members of a setting that holds a JSON object (ADMISSION_LIMITS,
 * RATE_LIMIT_CLIENT_OVERRIDES); none when it is unset or blank. Fails
 * start-up, naming the setting, when its text is not JSON (`example`: how it
 * should look) or not an object (`keyedBy`: what its members are named by).
 */
export function jsonObjectSetting(name: string, text: string | undefined, example: string, keyedBy: string): Array<[string, unknown]> {
  if (text === undefined || text.trim() === '') return [];
  const fail = settingProblem(name);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    fail(`must be JSON: ${example}`);
  }
  if (!isJsonObject(parsed)) fail(`must be a JSON object keyed by ${keyedBy}`);
  return Object.entries(parsed as Record<string, unknown>);
}
