import { readFileSync } from 'node:fs';
import { listValue, offsetOption, PAGE_SIZE_OPTION, stringValue, type Command, type CommandContext, type OptionValues } from '../command.js';
import { CommandFailure } from '../command-failure.js';
import { fields, table, type Row } from '../output.js';
import { UsageError } from '../usage-error.js';

const CLIENT_COLUMNS: Array<[string, string]> = [
  ['client_id', 'CLIENT ID'],
  ['client_name', 'NAME'],
  ['token_endpoint_auth_method', 'AUTH'],
  ['grant_types', 'GRANTS'],
  ['managed_by', 'MANAGED BY'],
  ['status', 'STATUS'],
  ['scope', 'SCOPE'],
];

/** The columns of `clients pending`: what waits for approval. */
const PENDING_COLUMNS: Array<[string, string]> = [
  ['client_id', 'CLIENT ID'],
  ['client_name', 'NAME'],
  ['trust', 'TRUST'],
  ['pending', 'PENDING PRIVILEGES'],
  ['created_at', 'REGISTERED'],
];

/** Privileges as one line: scope tokens, then grant types. */
function privilegeText(value: unknown): string {
  const p = (typeof value === 'object' && value !== null ? value : {}) as { scope?: unknown; grant_types?: unknown };
  return [...(Array.isArray(p.scope) ? p.scope : []), ...(Array.isArray(p.grant_types) ? p.grant_types : [])].join(' ');
}

/** The metadata of `clients create`: the file's object, then the flags over it. */
export function registrationMetadata(fileText: string | undefined, flags: Record<string, unknown>): Record<string, unknown> {
  let metadata: Record<string, unknown> = {};
  if (fileText !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(fileText);
    } catch (err: unknown) {
      throw new UsageError(`--file is not JSON: ${(err as Error).message}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new UsageError('--file must hold a JSON object of client metadata (RFC 7591 §2)');
    metadata = parsed as Record<string, unknown>;
  }
  const fromFlags: Record<string, unknown> = {
    client_name: flags.name,
    redirect_uris: flags['redirect-uri'],
    grant_types: flags['grant-type'],
    scope: flags.scope,
    token_endpoint_auth_method: flags['auth-method'],
    jwks_uri: flags['jwks-uri'],
  };
  for (const [name, value] of Object.entries(fromFlags)) if (value !== undefined) metadata[name] = value;
  if (Object.keys(metadata).length === 0) throw new UsageError('give the client metadata with flags (--name, --redirect-uri, --grant-type, --scope, --auth-method) or --file');
  return metadata;
}

/** A client just registered (RFC 7591 §3.2.1), with the secrets shown this once and a reminder to store them. */
export function registeredClientText(client: Record<string, unknown>): string {
  return (
    fields([
      ['client_id', client.client_id],
      ['client_name', client.client_name],
      ['client_secret', client.client_secret],
      ['registration_access_token', client.registration_access_token],
      ['registration_client_uri', client.registration_client_uri],
      ['token_endpoint_auth_method', client.token_endpoint_auth_method],
      ['grant_types', client.grant_types],
      ['redirect_uris', client.redirect_uris],
      ['scope', client.scope],
      ...(client.privileges_pending !== undefined ? ([['privileges_pending', privilegeText(client.privileges_pending)]] as Array<[string, unknown]>) : []),
    ]) + (client.client_secret !== undefined ? 'Store the client secret and the registration access token now: they are not shown again.\n' : '')
  );
}

/** The flags that describe a client's metadata, shared by `clients create` (RFC 7591) and `clients register` (admin). */
export const METADATA_OPTIONS: Command['options'] = {
  file: { type: 'string', value: '<metadata.json>', description: 'client metadata as a JSON object (RFC 7591 §2; flags override its fields)' },
  name: { type: 'string', value: '<name>', description: 'client_name' },
  'redirect-uri': { type: 'string', multiple: true, value: '<uri>', description: 'a redirect URI (repeat for several)' },
  'grant-type': { type: 'string', multiple: true, value: '<type>', description: 'a grant type, e.g. authorization_code, client_credentials (repeat for several)' },
  scope: { type: 'string', value: '<scopes>', description: 'space-separated scopes the client may ask for' },
  'auth-method': { type: 'string', value: '<method>', description: 'token_endpoint_auth_method: client_secret_basic, client_secret_post, private_key_jwt or none' },
  'jwks-uri': { type: 'string', value: '<url>', description: 'jwks_uri (for private_key_jwt)' },
};

/** The metadata given by {@link METADATA_OPTIONS}: `--file`'s object, then the flags over it. */
export function metadataFromFlags(values: OptionValues): Record<string, unknown> {
  const file = stringValue(values, 'file');
  return registrationMetadata(file === undefined ? undefined : readText(file), {
    name: stringValue(values, 'name'),
    'redirect-uri': listValue(values, 'redirect-uri'),
    'grant-type': listValue(values, 'grant-type'),
    scope: stringValue(values, 'scope'),
    'auth-method': stringValue(values, 'auth-method'),
    'jwks-uri': stringValue(values, 'jwks-uri'),
  });
}

export function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err: unknown) {
    throw new UsageError(`${path} cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

const create: Command = {
  group: 'clients',
  name: 'create',
  summary: 'register a client (POST /register, RFC 7591); prints its secret and registration access token once',
  args: [],
  options: {
    ...METADATA_OPTIONS,
    'initial-access-token': {
      type: 'string',
      value: '<token>',
      description: 'an initial access token (RFC 7591 §3): vouches for privileges; required under the initial-access-token policy (env SMART_AUTH_INITIAL_ACCESS_TOKEN)',
    },
  },
  details: 'The client secret and the registration access token are shown only now: the server keeps their hashes.',
  async run({ values, deployment, out, env }) {
    const metadata = metadataFromFlags(values);
    const endpoint = (await deployment.serverMetadata()).registration_endpoint;
    if (!endpoint) throw new CommandFailure('unsupported', `${deployment.issuer} advertises no registration_endpoint`);
    const initial = stringValue(values, 'initial-access-token') ?? (env.SMART_AUTH_INITIAL_ACCESS_TOKEN || undefined);
    const client = await deployment.request<Record<string, unknown>>(endpoint, { method: 'POST', body: metadata, ...(initial ? { bearer: initial } : {}) });
    out.result(client, () =>
      registeredClientText(client) +
        (client.privileges_pending !== undefined
          ? `These privileges wait for an administrator: smart-auth clients approve ${String(client.client_id)}\n`
          : ''),
    );
  },
};

const PAGING_OPTIONS = { limit: PAGE_SIZE_OPTION, offset: offsetOption('clients') };
const FILTER_OPTIONS = {
  ...PAGING_OPTIONS,
  search: { type: 'string', value: '<text>', description: 'text in the client id or name' },
  status: { type: 'string', value: '<status>', description: 'pending, approved, rejected or disabled' },
  trust: { type: 'string', value: '<tier>', description: 'a trust tier, e.g. anonymous, administrator, configuration' },
  'grant-type': { type: 'string', value: '<type>', description: 'a registered grant type' },
  'has-launch-uri': { type: 'string', value: '<true|false>', description: 'only clients with (or without) a launch_uri' },
} as const;

/** A page of GET /admin/clients, with the filters given (or only pending ones). */
function clientPage(ctx: CommandContext, status?: 'pending'): Promise<{ clients: Row[]; limit: number; offset: number }> {
  const v = (name: string) => (status ? undefined : stringValue(ctx.values, name));
  return ctx.deployment.api('/admin/clients', {
    query: {
      status: status ?? v('status'),
      q: v('search'),
      trust: v('trust'),
      grant_type: v('grant-type'),
      has_launch_uri: v('has-launch-uri'),
      limit: stringValue(ctx.values, 'limit'),
      offset: stringValue(ctx.values, 'offset'),
    },
  });
}

const list: Command = {
  group: 'clients',
  name: 'list',
  summary: 'list registered clients (GET /admin/clients), with search and filters, never their secrets',
  args: [],
  options: FILTER_OPTIONS,
  async run(ctx) {
    const page = await clientPage(ctx);
    ctx.out.result(page, () => table(page.clients, CLIENT_COLUMNS));
  },
};

const pending: Command = {
  group: 'clients',
  name: 'pending',
  summary: 'list clients whose privileges wait for approval (GET /admin/clients?status=pending)',
  args: [],
  options: PAGING_OPTIONS,
  async run(ctx) {
    const { out } = ctx;
    const page = await clientPage(ctx, 'pending');
    out.result(page, () => table(page.clients.map((c) => ({ ...c, pending: privilegeText(c.privileges_pending) })), PENDING_COLUMNS));
  },
};

/** `clients approve` and `clients reject`: an administrator's decision on pending privileges. */
function decision(name: 'approve' | 'reject'): Command {
  return {
    group: 'clients',
    name,
    summary:
      name === 'approve'
        ? 'approve the privileges a client waits for (POST /admin/clients/:client_id/approve): all, or those given with --privileges'
        : 'refuse the privileges a client waits for (POST /admin/clients/:client_id/reject): all, or those given with --privileges',
    args: ['client_id'],
    options: {
      privileges: { type: 'string', value: '<privileges>', description: 'space-separated scopes and grant types to decide on (default: every pending one)' },
    },
    async run({ args, values, deployment, out }) {
      const clientId = args[0]!;
      const privileges = stringValue(values, 'privileges');
      const client = await deployment.api<Row>(`/admin/clients/${encodeURIComponent(clientId)}/${name}`, {
        method: 'POST',
        ...(privileges !== undefined ? { body: { privileges } } : {}),
      });
      out.result(client, () =>
        fields([
          ['client_id', client.client_id],
          ['status', client.status],
          ['privileges_approved', privilegeText(client.privileges_approved)],
          ['privileges_pending', privilegeText(client.privileges_pending)],
          ['privileges_rejected', privilegeText(client.privileges_rejected)],
        ]),
      );
    },
  };
}

const REGISTRATION_TOKEN_OPTION = {
  type: 'string',
  value: '<token>',
  description: "the client's registration access token: use RFC 7592 (/register/:client_id) instead of the admin API (env SMART_AUTH_REGISTRATION_ACCESS_TOKEN)",
} as const;

/** The client's RFC 7592 configuration endpoint and token, when the registration access token was given. */
async function management(ctx: CommandContext): Promise<{ url: string; token: string } | undefined> {
  const token = stringValue(ctx.values, 'registration-access-token') ?? (ctx.env.SMART_AUTH_REGISTRATION_ACCESS_TOKEN || undefined);
  if (token === undefined) return undefined;
  const endpoint = (await ctx.deployment.serverMetadata()).registration_endpoint;
  if (!endpoint) throw new CommandFailure('unsupported', `${ctx.deployment.issuer} advertises no registration_endpoint`);
  return { url: `${endpoint}/${encodeURIComponent(ctx.args[0]!)}`, token };
}

/** Reads or deletes the client: through RFC 7592 with its registration access token, else through the admin API. */
async function onClient<T>(ctx: CommandContext, method: 'GET' | 'DELETE'): Promise<T> {
  const rfc7592 = await management(ctx);
  return rfc7592
    ? ctx.deployment.request<T>(rfc7592.url, { method, bearer: rfc7592.token })
    : ctx.deployment.api<T>(`/admin/clients/${encodeURIComponent(ctx.args[0]!)}`, { method });
}

/** `clients get` and `clients delete`: one client, through RFC 7592 with its registration access token, else through the admin API. */
function onClientCommand(method: 'GET' | 'DELETE', name: string, summary: string, render: (client: Row, clientId: string) => Row): Command {
  return {
    group: 'clients',
    name,
    summary,
    args: ['client_id'],
    options: { 'registration-access-token': REGISTRATION_TOKEN_OPTION },
    async run(ctx) {
      const answer = render((await onClient<Row | undefined>(ctx, method)) ?? {}, ctx.args[0]!);
      ctx.out.result(answer, () => (method === 'GET' ? fields(Object.entries(answer)) : `deleted client ${String(answer.client_id)}\n`));
    },
  };
}

const get = onClientCommand('GET', 'get', 'show one client (GET /admin/clients/:client_id, or RFC 7592 with its registration access token)', (client) => client);
const remove = onClientCommand(
  'DELETE',
  'delete',
  'delete a client (DELETE /admin/clients/:client_id, or RFC 7592 with its registration access token); its tokens stop working',
  (_answer, clientId) => ({ client_id: clientId, deleted: true }),
);

/** A command that POSTs one action on one client (`/admin/clients/:client_id/<name>`, no body) and prints the answer. */
export function clientAction(name: string, summary: string, render: (answer: Row, clientId: string) => string): Command {
  return {
    group: 'clients',
    name,
    summary,
    args: ['client_id'],
    options: {},
    async run({ args, deployment, out }) {
      const clientId = args[0]!;
      const answer = await deployment.api<Row>(`/admin/clients/${encodeURIComponent(clientId)}/${name}`, { method: 'POST' });
      out.result(answer, () => render(answer, clientId));
    },
  };
}

const revokeAll = clientAction(
  'revoke-all',
  "revoke every grant of a client (POST /admin/clients/:client_id/revoke-all): its users' tokens stop working",
  (answer, clientId) => `revoked ${String(answer.revoked_grants)} grant(s) of client ${clientId}\n`,
);

export const CLIENT_COMMANDS: readonly Command[] = [create, list, pending, decision('approve'), decision('reject'), get, remove, revokeAll];
