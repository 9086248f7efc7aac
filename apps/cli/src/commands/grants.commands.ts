import { offsetOption, PAGE_SIZE_OPTION, stringValue, type Command } from '../command.js';
import { table, type Row } from '../output.js';

const list: Command = {
  group: 'grants',
  name: 'list',
  summary: 'list what people granted to apps (GET /admin/grants)',
  args: [],
  options: {
    user: { type: 'string', value: '<user_id>', description: 'only this user' },
    client: { type: 'string', value: '<client_id>', description: 'only this client' },
    patient: { type: 'string', value: '<id>', description: 'only grants in this patient context' },
    limit: PAGE_SIZE_OPTION,
    offset: offsetOption('grants'),
  },
  async run({ values, deployment, out }) {
    const page = await deployment.api<{ grants: Row[] }>('/admin/grants', {
      query: {
        user_id: stringValue(values, 'user'),
        client_id: stringValue(values, 'client'),
        patient: stringValue(values, 'patient'),
        limit: stringValue(values, 'limit'),
        offset: stringValue(values, 'offset'),
      },
    });
    out.result(page, () =>
      table(page.grants, [
        ['id', 'GRANT ID'],
        ['client_id', 'CLIENT'],
        ['user_id', 'USER'],
        ['patient', 'PATIENT'],
        ['created_at', 'CREATED'],
        ['revoked_at', 'REVOKED'],
        ['scope', 'SCOPE'],
      ]),
    );
  },
};

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
