import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { adminListCommand, offsetFlag, PAGE_SIZE_FLAG, stringValue, type Command, type OptionValues, type QueryFlag } from '../command.js';
import { fields, type Row } from '../output.js';
import { secretFromFile } from '../settings.js';

const PAGE: readonly QueryFlag[] = [PAGE_SIZE_FLAG, offsetFlag('users')];

const USER_COLUMNS: Array<[string, string]> = [
  ['id', 'USER ID'],
  ['username', 'USERNAME'],
  ['display_name', 'NAME'],
  ['fhirUser', 'FHIR USER'],
  ['admin', 'ADMIN'],
  ['disabled', 'DISABLED'],
  ['created_at', 'CREATED'],
];

const PASSWORD_FILE: Command['options'][string] = {
  type: 'string',
  value: '<path>',
  description: 'file holding the password (env SMART_AUTH_USER_PASSWORD_FILE); without one a random password is generated and shown once',
};

/** The new password: from --password-file or SMART_AUTH_USER_PASSWORD_FILE, else generated (shown once); never a flag of its own (other local users see flags). */
export function newPassword(values: OptionValues, env: NodeJS.ProcessEnv, read: (path: string) => string = (p) => readFileSync(p, 'utf8')): { password: string; generated: boolean } {
  const file = stringValue(values, 'password-file') ?? (env.SMART_AUTH_USER_PASSWORD_FILE || undefined);
  if (file !== undefined) return { password: secretFromFile(file, read, file === stringValue(values, 'password-file') ? '--password-file' : 'SMART_AUTH_USER_PASSWORD_FILE'), generated: false };
  return { password: randomBytes(18).toString('base64url'), generated: true };
}

function userText(user: Row, password?: string): string {
  return (
    fields([...USER_COLUMNS.filter(([key]) => key !== 'created_at').map(([key]): [string, unknown] => [key, user[key]]), ['password', password]]) + (password !== undefined ? 'Give the person this password now: it is not shown again.\n' : '')
  );
}

const list = adminListCommand('users', 'users', 'list the people who sign in (GET /admin/users)', PAGE, USER_COLUMNS);

const create: Command = {
  group: 'users',
  name: 'create',
  summary: 'create a person who signs in with a password (POST /admin/users)',
  args: ['username'],
  options: {
    name: { type: 'string', value: '<display name>', description: 'display_name (default: the username)' },
    'fhir-user': { type: 'string', value: '<Type/id>', description: 'fhirUser: Patient/123, Practitioner/456, …' },
    admin: { type: 'boolean', description: 'may sign in to the grant administration page (/admin)' },
    'password-file': PASSWORD_FILE,
  },
  async run({ args, values, deployment, out, env }) {
    const { password, generated } = newPassword(values, env);
    const body = {
      username: args[0]!,
      display_name: stringValue(values, 'name') ?? args[0]!,
      password,
      ...(stringValue(values, 'fhir-user') !== undefined ? { fhirUser: stringValue(values, 'fhir-user') } : {}),
      ...(values.admin === true ? { admin: true } : {}),
    };
    const user = await deployment.api<Row>('/admin/users', { method: 'POST', body });
    const shown = generated ? password : undefined;
    out.result({ ...user, ...(shown !== undefined ? { password: shown } : {}) }, () => userText(user, shown));
  },
};

const disable: Command = {
  group: 'users',
  name: 'disable',
  summary: 'disable a person (DELETE /admin/users/:id): no more sign-ins, their sessions end; audit records keep naming them',
  args: ['user_id'],
  options: {},
  async run({ args, deployment, out }) {
    const user = await deployment.api<Row>(`/admin/users/${encodeURIComponent(args[0]!)}`, { method: 'DELETE' });
    out.result(user, () => `disabled user ${String(user.id)} (${String(user.username)})\n`);
  },
};

const resetPassword: Command = {
  group: 'users',
  name: 'reset-password',
  summary: "set a person's password (PATCH /admin/users/:id)",
  args: ['user_id'],
  options: { 'password-file': PASSWORD_FILE },
  async run({ args, values, deployment, out, env }) {
    const { password, generated } = newPassword(values, env);
    const user = await deployment.api<Row>(`/admin/users/${encodeURIComponent(args[0]!)}`, { method: 'PATCH', body: { password } });
    const shown = generated ? password : undefined;
    out.result({ id: user.id, username: user.username, password_reset: true, ...(shown !== undefined ? { password: shown } : {}) }, () => userText(user, shown));
  },
};

export const USER_COMMANDS: readonly Command[] = [list, create, disable, resetPassword];
