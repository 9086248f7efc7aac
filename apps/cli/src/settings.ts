import { readFileSync } from 'node:fs';
import { UsageError } from './usage-error.js';

export const DEFAULT_ISSUER = 'http://localhost:8080';

/** Where the suite is and whose credentials the command uses. */
export interface Settings {
  /** The issuer (the gateway's public URL), without a trailing slash. */
  issuer: string;
  clientId?: string;
  clientSecret?: string;
}

/** The global flags as parsed. */
export interface GlobalFlags {
  issuer?: string;
  'client-id'?: string;
  'client-secret'?: string;
  'client-secret-file'?: string;
}

/** A secret kept in a file (one trailing newline dropped); a usage error naming `what` when it cannot be read or is empty. */
export function secretFromFile(path: string, read: (path: string) => string, what: string): string {
  let text: string;
  try {
    text = read(path);
  } catch (err: unknown) {
    throw new UsageError(`${what} ${path} cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  // A file written by `echo` or a secrets manager ends with a newline that is not part of the secret.
  const secret = text.replace(/\r?\n$/, '');
  if (secret === '') throw new UsageError(`${what} ${path} is empty`);
  return secret;
}

/**
 * Flags first, then SMART_AUTH_ISSUER, SMART_AUTH_CLIENT_ID,
 * SMART_AUTH_CLIENT_SECRET / SMART_AUTH_CLIENT_SECRET_FILE. The issuer must be
 * an http(s) URL without query or fragment.
 */
export function resolveSettings(flags: GlobalFlags, env: NodeJS.ProcessEnv, read: (path: string) => string = (p) => readFileSync(p, 'utf8')): Settings {
  const rawIssuer = flags.issuer ?? (env.SMART_AUTH_ISSUER || undefined) ?? DEFAULT_ISSUER;
  let issuer: URL;
  try {
    issuer = new URL(rawIssuer);
  } catch {
    throw new UsageError(`--issuer must be a URL, got "${rawIssuer.slice(0, 200)}"`);
  }
  if ((issuer.protocol !== 'http:' && issuer.protocol !== 'https:') || issuer.search || issuer.hash) {
    throw new UsageError(`--issuer must be an http(s) URL without query or fragment, got "${rawIssuer.slice(0, 200)}"`);
  }
  if (flags['client-secret'] !== undefined && flags['client-secret-file'] !== undefined) {
    throw new UsageError('give --client-secret or --client-secret-file, not both');
  }
  let clientSecret: string | undefined;
  if (flags['client-secret'] !== undefined) clientSecret = flags['client-secret'];
  else if (flags['client-secret-file'] !== undefined) clientSecret = secretFromFile(flags['client-secret-file'], read, '--client-secret-file');
  else if (env.SMART_AUTH_CLIENT_SECRET) clientSecret = env.SMART_AUTH_CLIENT_SECRET;
  else if (env.SMART_AUTH_CLIENT_SECRET_FILE) clientSecret = secretFromFile(env.SMART_AUTH_CLIENT_SECRET_FILE, read, 'SMART_AUTH_CLIENT_SECRET_FILE');
  const clientId = flags['client-id'] ?? (env.SMART_AUTH_CLIENT_ID || undefined);
  return {
    issuer: issuer.href.replace(/\/+$/, ''),
    ...(clientId !== undefined ? { clientId } : {}),
    ...(clientSecret !== undefined ? { clientSecret } : {}),
  };
}
