import { adminListCommand, offsetFlag, PAGE_SIZE_FLAG, type Command, type QueryFlag } from '../command.js';

/** Flag → query parameter of GET /admin/grants. */
const FILTERS: readonly QueryFlag[] = [
  ['user', 'user_id', '<user_id>', 'only this user'],
  ['client', 'client_id', '<client_id>', 'only this client'],
  ['patient', 'patient', '<id>', 'only grants in this patient context'],
  PAGE_SIZE_FLAG,
  offsetFlag('grants'),
];

const list = adminListCommand('grants', 'grants', 'list what people granted to apps (GET /admin/grants)', FILTERS, [
  ['id', 'GRANT ID'],
  ['client_id', 'CLIENT'],
  ['user_id', 'USER'],
  ['patient', 'PATIENT'],
  ['created_at', 'CREATED'],
  ['revoked_at', 'REVOKED'],
  ['scope', 'SCOPE'],
]);

const revoke: Command = {
  group: 'grants',
  name: 'revoke',
  summary: 'revoke a grant (DELETE /admin/grants/:id): every token of it stops working, the consent is forgotten',
  args: ['grant_id'],
  options: {},
  async run({ args, deployment, out }) {
    const id = args[0]!;
    await deployment.api(`/admin/grants/${encodeURIComponent(id)}`, { method: 'DELETE' });
    out.result({ id, revoked: true }, () => `revoked grant ${id}\n`);
  },
};

export const GRANT_COMMANDS: readonly Command[] = [list, revoke];
