import * as oidc from 'openid-client';
import type { Command } from '../command.js';
import { CREDENTIALS_NEEDED } from '../deployment.js';
import { fields } from '../output.js';

const introspect: Command = {
  group: 'token',
  name: 'introspect',
  summary: "introspect a token (POST /introspect, RFC 7662) with the configured client's credentials",
  args: ['token'],
  options: {},
  details:
    'With the admin client (scope introspect) any token of the suite can be introspected; another client sees only its own.\nExit code 1 when the token is not active.',
  async run({ args, deployment, out }) {
    const answer = await oidc.tokenIntrospection(await deployment.credentialedConfiguration(CREDENTIALS_NEEDED.introspector), args[0]!);
    out.result(answer, () => fields(Object.entries(answer)));
    return answer.active ? 0 : 1;
  },
};

const revoke: Command = {
  group: 'token',
  name: 'revoke',
  summary: "revoke a token (POST /revoke, RFC 7009) with the credentials of the client it was issued to",
  args: ['token'],
  options: {
    hint: { type: 'string', value: '<type>', description: 'token_type_hint: access_token or refresh_token' },
  },
  details:
    "RFC 7009 lets only the client a token was issued to revoke it: pass that client's --client-id and --client-secret.\n" +
    "An administrator cuts a person's tokens off with 'grants revoke' or 'clients revoke-all' instead.\n" +
    'The server answers the same for an unknown token as for a revoked one (RFC 7009 §2.2).',
  async run({ args, values, deployment, out }) {
    const hint = typeof values.hint === 'string' ? values.hint : undefined;
    await oidc.tokenRevocation(await deployment.credentialedConfiguration(CREDENTIALS_NEEDED.tokenOwner), args[0]!, hint ? { token_type_hint: hint } : {});
    out.result({ revoked: true }, () => 'revoked (RFC 7009: an unknown or already invalid token is answered the same)\n');
  },
};

export const TOKEN_COMMANDS: readonly Command[] = [introspect, revoke];
