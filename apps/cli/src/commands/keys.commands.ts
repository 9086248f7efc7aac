import { stringValue, type Command } from '../command.js';
import { table, type Row } from '../output.js';

const list: Command = {
  group: 'keys',
  name: 'list',
  summary: 'list the signing keys and their states (GET /admin/keys)',
  args: [],
  options: {},
  async run({ deployment, out }) {
    const ring = await deployment.api<{ keys: Row[]; rotation_interval_seconds: number }>('/admin/keys');
    out.result(ring, () =>
      table(ring.keys, [
        ['kid', 'KID'],
        ['alg', 'ALG'],
        ['state', 'STATE'],
        ['created_at', 'CREATED'],
        ['activated_at', 'ACTIVATED'],
        ['retired_at', 'RETIRED'],
        ['activates_at', 'ACTIVATES'],
        ['removable_at', 'REMOVABLE'],
      ]) + `rotation every ${ring.rotation_interval_seconds} s\n`,
    );
  },
};

const rotate: Command = {
  group: 'keys',
  name: 'rotate',
  summary: 'rotate now (POST /admin/keys/rotate): the next key signs, the active one retires',
  args: [],
  options: {
    alg: { type: 'string', value: '<alg>', description: 'only this algorithm (ES256, RS256, …); every one by default' },
  },
  async run({ values, deployment, out }) {
    const alg = stringValue(values, 'alg');
    const result = await deployment.api<{ rotated: Row[] }>('/admin/keys/rotate', { method: 'POST', ...(alg ? { body: { alg } } : {}) });
    out.result(result, () =>
      table(result.rotated, [
        ['alg', 'ALG'],
        ['kid', 'ACTIVE NOW'],
        ['previous_kid', 'RETIRED'],
        ['next_kid', 'NEXT'],
      ]),
    );
  },
};

export const KEY_COMMANDS: readonly Command[] = [list, rotate];
