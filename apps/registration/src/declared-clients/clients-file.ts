import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { isMap, isNode, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import type { ClientMetadata } from '#contracts';
import { ConfigurationError } from '#nest';
import { CLIENT_REGISTRATION_FIELDS, isSymmetric, OAuthError, sha256Hex } from '#oauth';
import { validateRegistration } from '../clients/registration-policy.js';

/** Largest clients file read: a Kubernetes ConfigMap holds at most 1 MiB. */
export const CLIENTS_FILE_MAX_BYTES = 1_048_576;

/** Where an entry's client secret comes from; the secret itself is never in the file. */
const SECRET_SOURCES = ['client_secret_env', 'client_secret_file', 'client_secret_sha256'] as const;

/** Keys an entry may carry: RFC 7591 §2 metadata (as /register takes it) and one secret source. */
const ENTRY_KEYS: ReadonlySet<string> = new Set<string>([...CLIENT_REGISTRATION_FIELDS, ...SECRET_SOURCES]);

/** A secret read from the environment or a file is at least this long (as ADMIN_CLIENT_SECRET). */
const MIN_SECRET_LENGTH = 16;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SHA256_HEX = /^[0-9a-fA-F]{64}$/;

/** One client of the file, validated like a registration (RFC 7591 §2). */
export interface DeclaredClient {
  clientId: string;
  metadata: ClientMetadata;
  /** SHA-256 (hex) of the client secret of a symmetric client; null otherwise, and when secrets were not resolved. */
  clientSecretHash: string | null;
}

/** A clients file read and validated. */
export interface ClientsFile {
  path: string;
  clients: DeclaredClient[];
  /** Changes when the file or a secret it refers to changes: an interval reload skips an unchanged file. */
  digest: string;
}

export interface ClientsFileOptions {
  /** Where `client_secret_env` names are looked up. */
  env: NodeJS.ProcessEnv;
  /** Reads `client_secret_file` (default: the file system). */
  readFile?: (path: string) => string;
  /** The bootstrap administrator's client id (ADMIN_CLIENT_ID), which no entry may declare. */
  adminClientId?: string;
  /** false: check the secret references without reading them (checking a file before it is deployed). Default true. */
  resolveSecrets?: boolean;
}

/** A clients file that cannot be used: one line per problem, each naming the file, the line, the entry and the field. */
export class ClientsFileError extends ConfigurationError {
  constructor(
    readonly path: string,
    problems: string[],
  ) {
    super(problems);
    this.name = 'ClientsFileError';
    this.message = `invalid clients file ${path}:\n${problems.map((p) => `  - ${p}`).join('\n')}`;
  }
}

/** Reads and validates the clients file at `path` (see {@link parseClientsFile}). */
export function readClientsFile(path: string, options: ClientsFileOptions): ClientsFile {
  let text: string;
  try {
    const size = statSync(path).size;
    if (size > CLIENTS_FILE_MAX_BYTES) throw new Error(`${size} bytes, more than ${CLIENTS_FILE_MAX_BYTES}`);
    text = readFileSync(path, 'utf8');
  } catch (err: unknown) {
    throw new ClientsFileError(path, [`${path}: cannot read: ${(err as Error).message}`]);
  }
  return parseClientsFile(text, path, options);
}

/**
 * Parses a clients file: a YAML mapping with one key, `clients`, a list of
 * RFC 7591 client metadata entries, each with a `client_id` and, for
 * `client_secret_basic` / `client_secret_post` clients, exactly one of
 * `client_secret_env` (an environment variable), `client_secret_file` (a
 * file, e.g. a mounted Secret) or `client_secret_sha256` (the hex SHA-256 of
 * the secret). Every entry is validated as POST /register validates a
 * registration; unknown keys are refused (a typo would otherwise be
 * silently ignored), and so is a secret in the clear.
 *
 * @throws ClientsFileError with one problem per bad entry.
 */
export function parseClientsFile(text: string, path: string, options: ClientsFileOptions): ClientsFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const lineOf = (offset: number | undefined) => (offset === undefined ? '' : `:${lines.linePos(offset).line}`);
  if (doc.errors.length > 0) throw new ClientsFileError(path, doc.errors.map((e) => `${path}${lineOf(e.pos[0])}: ${e.message}`));
  const root = doc.contents;
  if (root === null) throw new ClientsFileError(path, [`${path}: the file is empty; declare no clients with "clients: []"`]);
  if (!isMap(root)) throw new ClientsFileError(path, [`${path}${lineOf(root.range?.[0])}: must be a mapping with a "clients" list`]);
  const problems: string[] = [];
  for (const pair of root.items) {
    const key: unknown = isScalar(pair.key) ? pair.key.value : pair.key;
    if (key !== 'clients') problems.push(`${path}${lineOf(isNode(pair.key) ? pair.key.range?.[0] : undefined)}: unknown key "${String(key)}" (only "clients")`);
  }
  const list = root.get('clients', true);
  if (!isSeq(list)) problems.push(`${path}${lineOf(root.range?.[0])}: "clients" must be a list`);
  if (problems.length > 0 || !isSeq(list)) throw new ClientsFileError(path, problems);

  const entries = toJs(doc, path);
  const clients: DeclaredClient[] = [];
  const firstIndex = new Map<string, number>();
  const secretDigests: string[] = [];
  list.items.forEach((node, index) => {
    const entry = entries[index];
    const id = typeof entry === 'object' && entry !== null && typeof (entry as { client_id?: unknown }).client_id === 'string' ? (entry as { client_id: string }).client_id : undefined;
    const where = `${path}${lineOf(isNode(node) ? node.range?.[0] : undefined)}: clients[${index}]${id === undefined ? '' : ` (client_id "${id}")`}`;
    try {
      const client = declaredClient(entry, options);
      const seen = firstIndex.get(client.clientId);
      if (seen !== undefined) throw new Error(`client_id is declared twice (first at clients[${seen}])`);
      firstIndex.set(client.clientId, index);
      clients.push(client);
      secretDigests.push(`${client.clientId}:${client.clientSecretHash ?? ''}`);
    } catch (err: unknown) {
      problems.push(`${where}: ${err instanceof OAuthError ? (err.description ?? err.error) : (err as Error).message}`);
    }
  });
  if (problems.length > 0) throw new ClientsFileError(path, problems);
  const digest = createHash('sha256').update(text).update('\0').update(secretDigests.join('\n')).digest('hex');
  return { path, clients, digest };
}

/** The whole document as plain values; an unresolvable alias is reported like a syntax error. */
function toJs(doc: Document, path: string): unknown[] {
  try {
    const value = doc.toJS({ maxAliasCount: 100 }) as { clients: unknown[] };
    return value.clients;
  } catch (err: unknown) {
    throw new ClientsFileError(path, [`${path}: ${(err as Error).message}`]);
  }
}

/** One entry: its keys, its metadata validated as a registration, and its secret source. */
function declaredClient(entry: unknown, options: ClientsFileOptions): DeclaredClient {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw new Error('must be a mapping of client metadata');
  const fields = entry as Record<string, unknown>;
  if (fields.client_id === undefined || fields.client_id === null) throw new Error('client_id: required in a clients file');
  if (typeof fields.client_id !== 'string') throw new Error('client_id: must be a string');
  for (const key of Object.keys(fields)) {
    if (key === 'client_secret') throw new Error('client_secret: a secret is never written in the file; use client_secret_env, client_secret_file or client_secret_sha256');
    if (!ENTRY_KEYS.has(key)) throw new Error(`${key}: unknown key (RFC 7591 client metadata, or one of ${SECRET_SOURCES.join(', ')})`);
  }
  const metadataInput = Object.fromEntries(Object.entries(fields).filter(([key]) => !(SECRET_SOURCES as readonly string[]).includes(key)));
  // The same validation as POST /register (RFC 7591 §2), reserved scopes included.
  const { metadata, requestedClientId } = validateRegistration(metadataInput);
  const clientId = requestedClientId ?? fields.client_id;
  if (options.adminClientId !== undefined && clientId === options.adminClientId) throw new Error('client_id: is the bootstrap administrator (ADMIN_CLIENT_ID)');
  const sources = SECRET_SOURCES.filter((key) => fields[key] !== undefined && fields[key] !== null);
  const symmetric = isSymmetric(metadata.token_endpoint_auth_method);
  if (!symmetric && sources.length > 0) throw new Error(`${sources[0]}: a ${metadata.token_endpoint_auth_method} client has no client secret`);
  if (symmetric && sources.length !== 1) {
    throw new Error(`${sources.length === 0 ? 'client_secret_env' : sources[1]}: a ${metadata.token_endpoint_auth_method} client needs exactly one of ${SECRET_SOURCES.join(', ')}`);
  }
  const clientSecretHash = symmetric ? secretHash(sources[0]!, fields[sources[0]!], options) : null;
  return { clientId, metadata, clientSecretHash };
}

/** The stored form of the secret: its SHA-256, as for registered clients. Messages never show a secret. */
function secretHash(source: (typeof SECRET_SOURCES)[number], value: unknown, options: ClientsFileOptions): string | null {
  if (typeof value !== 'string' || value === '') throw new Error(`${source}: must be a non-empty string`);
  const resolve = options.resolveSecrets !== false;
  if (source === 'client_secret_sha256') {
    if (!SHA256_HEX.test(value)) throw new Error('client_secret_sha256: must be 64 hexadecimal digits (the SHA-256 of the secret)');
    return value.toLowerCase();
  }
  let secret: string;
  if (source === 'client_secret_env') {
    if (!ENV_NAME.test(value)) throw new Error('client_secret_env: must be the name of an environment variable');
    if (!resolve) return null;
    secret = options.env[value] ?? '';
    if (secret === '') throw new Error(`client_secret_env: environment variable ${value} is not set`);
  } else {
    if (!isAbsolute(value)) throw new Error('client_secret_file: must be an absolute path');
    if (!resolve) return null;
    try {
      secret = (options.readFile ?? ((p: string) => readFileSync(p, 'utf8')))(value).trim();
    } catch (err: unknown) {
      throw new Error(`client_secret_file: cannot read ${value}: ${(err as Error).message}`);
    }
    if (secret === '') throw new Error(`client_secret_file: ${value} is empty`);
  }
  if (secret.length < MIN_SECRET_LENGTH) throw new Error(`${source}: the secret must be at least ${MIN_SECRET_LENGTH} characters`);
  return sha256Hex(secret);
}
