import { stringValue, type Command } from '../command.js';
import { fields, type Row } from '../output.js';
import { UsageError } from '../usage-error.js';
import { clientAction, METADATA_OPTIONS, metadataFromFlags, readText, registeredClientText } from './clients.commands.js';

/** The app directory's changes (issue #16) through the admin API: register, update, disable, enable, rotate-secret. */

const clientPath = (clientId: string, action = '') => `/admin/clients/${encodeURIComponent(clientId)}${action ? `/${action}` : ''}`;

function stateOf(client: Row): string {
  return fields([
    ['client_id', client.client_id],
    ['client_name', client.client_name],
    ['status', client.status],
    ['scope', client.scope],
    ...(client.disabled_at !== undefined ? ([['disabled_at', client.disabled_at]] as Array<[string, unknown]>) : []),
  ]);
}

const register: Command = {
  group: 'clients',
  name: 'register',
  summary: 'register a client as an administrator (POST /admin/clients): the validation of /register, its privileges usable at once',
  args: [],
  options: {
    ...METADATA_OPTIONS,
    'launch-uri': { type: 'string', value: '<url>', description: 'launch_uri (SMART EHR launch)' },
    'public-key': { type: 'string', value: '<key.pem|key.json>', description: 'a public key file (PEM or JWK / JWK Set), stored as the jwks' },
  },
  details: 'The client secret and the registration access token are shown only now: the server keeps their hashes.',
  async run({ values, deployment, out }) {
    const metadata = metadataFromFlags(values);
    const launch = stringValue(values, 'launch-uri');
    if (launch !== undefined) metadata.launch_uri = launch;
    const keyFile = stringValue(values, 'public-key');
    const body = keyFile === undefined ? metadata : { ...metadata, public_key: readText(keyFile) };
    const client = await deployment.api<Row>('/admin/clients', { method: 'POST', body });
    out.result(client, () => registeredClientText(client));
  },
};

const update: Command = {
  group: 'clients',
  name: 'update',
  summary: 'replace a client\'s metadata (PUT /admin/clients/:client_id, RFC 7592 §2.2 semantics); an added privilege waits for approval',
  args: ['client_id'],
  options: {
    file: { type: 'string', value: '<metadata.json>', description: 'the whole client metadata as a JSON object, client_id included (omitted fields are deleted)' },
  },
  async run({ args, values, deployment, out }) {
    const file = stringValue(values, 'file');
    if (file === undefined) throw new UsageError('give the whole metadata with --file (RFC 7592 §2.2: omitted fields are deleted); `clients get --json` prints it');
    let metadata: unknown;
    try {
      metadata = JSON.parse(readText(file));
    } catch (err: unknown) {
      if (err instanceof UsageError) throw err;
      throw new UsageError(`--file is not JSON: ${(err as Error).message}`);
    }
    const client = await deployment.api<Row>(clientPath(args[0]!), { method: 'PUT', body: metadata });
    out.result(client, () => stateOf(client) + (client.client_secret !== undefined ? `client_secret ${String(client.client_secret)} (shown only now)\n` : ''));
  },
};

const disable = clientAction('disable', 'disable a client (POST /admin/clients/:client_id/disable): invalid_client at /token, its tokens inactive, its grants kept', stateOf);
const enable = clientAction('enable', 'enable a disabled client again (POST /admin/clients/:client_id/enable)', stateOf);
const rotateSecret = clientAction(
  'rotate-secret',
  'issue a new client secret (POST /admin/clients/:client_id/rotate-secret); the old one stops working; shown once',
  (answer) => fields([['client_id', answer.client_id], ['client_secret', answer.client_secret]]) + 'Store the new client secret now: it is not shown again.\n',
);

export const CLIENT_ADMIN_COMMANDS: readonly Command[] = [register, update, disable, enable, rotateSecret];
