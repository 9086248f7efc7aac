// Checks a clients file (CLIENTS_FILE) before it is deployed, with the
// validation the registration service applies at start:
//   node dist/apps/registration/check-clients.js [--resolve-secrets] <file>
// Without --resolve-secrets the secret references are checked for shape only
// (the Secret is usually not mounted where the check runs); with it, the
// variables and files they name must be there, as in the pod. ADMIN_CLIENT_ID,
// when set, is refused as a declared id. Exit 0: valid; 1: invalid; 2: usage.
import 'reflect-metadata';
import { ConfigurationError } from '#nest';
import { readClientsFile } from './src/declared-clients/clients-file.js';

const args = process.argv.slice(2);
const flags = args.filter((a) => a.startsWith('--'));
const files = args.filter((a) => !a.startsWith('--'));
if (files.length !== 1 || flags.some((f) => f !== '--resolve-secrets')) {
  process.stderr.write('usage: node dist/apps/registration/check-clients.js [--resolve-secrets] <clients.yaml>\n');
  process.exit(2);
}
try {
  const file = readClientsFile(files[0]!, { env: process.env, adminClientId: process.env.ADMIN_CLIENT_ID || undefined, resolveSecrets: flags.includes('--resolve-secrets') });
  const ids = file.clients.map((c) => c.clientId);
  process.stdout.write(`${file.path}: valid, ${ids.length} client(s)${ids.length ? `: ${ids.join(', ')}` : ''}\n`);
} catch (err: unknown) {
  process.stderr.write(`${err instanceof ConfigurationError ? err.message : String(err)}\n`);
  process.exit(1);
}
