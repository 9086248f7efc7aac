import * as oidc from 'openid-client';
import { openBrowser } from '../browser-opener.js';
import { loadClientKey } from '../client-key.js';
import { stringValue, type Command, type CommandContext } from '../command.js';
import { fields, maskToken } from '../output.js';
import { LoopbackCallback } from '../loopback-callback.js';
import { UsageError } from '../usage-error.js';

const TOKEN_FIELDS = ['access_token', 'refresh_token', 'id_token'] as const;

/** A token response as printed: the tokens masked unless asked otherwise. */
export function tokenView(response: Record<string, unknown>, showTokens: boolean): Record<string, unknown> {
  const view: Record<string, unknown> = { ...response };
  if (!showTokens) for (const name of TOKEN_FIELDS) if (typeof view[name] === 'string') view[name] = maskToken(view[name] as string);
  return view;
}

/** The client's authentication: a private key (private_key_jwt), a secret (client_secret_basic or _post), or none (public client). */
async function clientAuth(ctx: CommandContext, publicAllowed: boolean): Promise<{ clientId: string; auth: oidc.ClientAuth }> {
  const clientId = ctx.settings.clientId;
  if (!clientId) throw new UsageError('--client-id is required (or SMART_AUTH_CLIENT_ID)');
  const keyFile = stringValue(ctx.values, 'private-key');
  if (keyFile !== undefined) {
    if (ctx.settings.clientSecret !== undefined && (ctx.values['client-secret'] !== undefined || ctx.values['client-secret-file'] !== undefined)) {
      throw new UsageError('give --client-secret or --private-key, not both');
    }
    return { clientId, auth: oidc.PrivateKeyJwt(await loadClientKey(keyFile)) };
  }
  if (ctx.settings.clientSecret !== undefined) {
    const method = stringValue(ctx.values, 'auth-method') ?? 'client_secret_basic';
    if (method === 'client_secret_basic') return { clientId, auth: oidc.ClientSecretBasic(ctx.settings.clientSecret) };
    if (method === 'client_secret_post') return { clientId, auth: oidc.ClientSecretPost(ctx.settings.clientSecret) };
    throw new UsageError('--auth-method must be client_secret_basic or client_secret_post');
  }
  if (!publicAllowed) throw new UsageError('give the client secret (--client-secret, --client-secret-file) or its key (--private-key)');
  return { clientId, auth: oidc.None() };
}

function positiveInt(ctx: CommandContext, name: string, fallback: number, max: number): number {
  const value = stringValue(ctx.values, name);
  if (value === undefined) return fallback;
  if (!/^\d{1,6}$/.test(value) || Number(value) > max) throw new UsageError(`--${name} must be a whole number from 0 to ${max}`);
  return Number(value);
}

const PRIVATE_KEY_OPTION = { type: 'string', value: '<jwk.json>', description: 'private JWK (or JWK Set) to authenticate with private_key_jwt instead of a secret' } as const;
const DPOP_OPTION = { type: 'boolean', description: 'ask for a DPoP-bound token (RFC 9449) with a fresh ES256 key; with authorization-code the code is bound too (dpop_jkt)' } as const;

/** RFC 9449: a DPoP handle with a fresh ES256 key (kept in memory only), or none. */
async function dpopHandle(ctx: CommandContext, config: oidc.Configuration): Promise<oidc.DPoPHandle | undefined> {
  return ctx.values.dpop === true ? oidc.getDPoPHandle(config, await oidc.randomDPoPKeyPair('ES256')) : undefined;
}

const AUTH_METHOD_OPTION = { type: 'string', value: '<method>', description: 'how the secret is sent: client_secret_basic (default) or client_secret_post' } as const;

const clientCredentials: Command = {
  group: 'perform',
  name: 'client-credentials',
  summary: 'smoke test: get a token with client_credentials, introspect it, print both',
  args: [],
  options: {
    scope: { type: 'string', value: '<scopes>', description: 'scopes to ask for (default: what the client is registered for)' },
    'private-key': PRIVATE_KEY_OPTION,
    'auth-method': AUTH_METHOD_OPTION,
    dpop: DPOP_OPTION,
    'show-tokens': { type: 'boolean', description: 'print the access token instead of masking it' },
  },
  details: 'The token is introspected with the same client (it may introspect its own tokens). Exit code 1 when it is not active.',
  async run(ctx) {
    const { clientId, auth } = await clientAuth(ctx, false);
    const config = await ctx.deployment.configuration(clientId, auth);
    const scope = stringValue(ctx.values, 'scope');
    const DPoP = await dpopHandle(ctx, config);
    const tokens = await oidc.clientCredentialsGrant(config, scope ? { scope } : {}, DPoP ? { DPoP } : undefined);
    const introspection = await oidc.tokenIntrospection(config, tokens.access_token);
    const token = tokenView({ ...tokens }, ctx.values['show-tokens'] === true);
    ctx.out.result({ token, introspection }, () => `token\n${indent(fields(Object.entries(token)))}introspection\n${indent(fields(Object.entries(introspection)))}`);
    return introspection.active ? 0 : 1;
  },
};

const authorizationCode: Command = {
  group: 'perform',
  name: 'authorization-code',
  summary: 'smoke test: a SMART launch in the browser (PKCE S256) to a loopback callback, then the code exchange',
  args: [],
  options: {
    scope: { type: 'string', value: '<scopes>', description: 'scopes to ask for (default "openid fhirUser launch/patient patient/*.rs")' },
    launch: { type: 'string', value: '<id|jwt>', description: 'EHR launch: the launch parameter (from POST /launch)' },
    aud: { type: 'string', value: '<fhir base>', description: 'the FHIR server the token is for (default <issuer>/fhir)' },
    port: { type: 'string', value: '<port>', description: 'loopback port of the redirect URI http://127.0.0.1:<port>/callback (default: any free port)' },
    'private-key': PRIVATE_KEY_OPTION,
    'auth-method': AUTH_METHOD_OPTION,
    dpop: DPOP_OPTION,
    'no-browser': { type: 'boolean', description: 'do not open a browser: print the URL to open' },
    'show-tokens': { type: 'boolean', description: 'print the tokens instead of masking them' },
    timeout: { type: 'string', value: '<seconds>', description: 'how long to wait for the redirect (default 300)' },
  },
  details:
    'Register the client with the redirect URI http://127.0.0.1/callback (a loopback URI matches on any port, RFC 8252 §7.3)\n' +
    'and token_endpoint_auth_method none, or pass its secret or key. The authorization URL is printed on stderr.',
  async run(ctx) {
    const { clientId, auth } = await clientAuth(ctx, true);
    const port = positiveInt(ctx, 'port', 0, 65535);
    const timeoutSeconds = positiveInt(ctx, 'timeout', 300, 86_400);
    const scope = stringValue(ctx.values, 'scope') ?? 'openid fhirUser launch/patient patient/*.rs';
    const openid = scope.split(' ').includes('openid');
    const config = await ctx.deployment.configuration(clientId, auth);
    const DPoP = await dpopHandle(ctx, config);
    const callback = await LoopbackCallback.listen(port);
    try {
      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const nonce = openid ? oidc.randomNonce() : undefined;
      const launch = stringValue(ctx.values, 'launch');
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: callback.redirectUri,
        scope,
        aud: stringValue(ctx.values, 'aud') ?? `${ctx.deployment.issuer}/fhir`,
        state,
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        ...(nonce ? { nonce } : {}),
        ...(launch ? { launch } : {}),
        // RFC 9449 §10: the code is bound to the DPoP key.
        ...(DPoP ? { dpop_jkt: await DPoP.calculateThumbprint() } : {}),
      });
      ctx.out.note(`Open this URL in a browser and sign in:\n${url.href}`);
      if (ctx.values['no-browser'] !== true && !(await openBrowser(url.href))) ctx.out.note('(no browser could be started: open the URL yourself)');
      ctx.out.note(`Waiting for the redirect to ${callback.redirectUri} …`);
      const landed = await callback.wait(timeoutSeconds * 1000);
      const tokens = await oidc.authorizationCodeGrant(config, landed, {
        pkceCodeVerifier: verifier,
        expectedState: state,
        ...(nonce ? { expectedNonce: nonce } : {}),
        idTokenExpected: openid,
      }, undefined, DPoP ? { DPoP } : undefined);
      const token = tokenView({ ...tokens }, ctx.values['show-tokens'] === true);
      const claims = tokens.claims();
      const result = { token, ...(claims ? { id_token_claims: { ...claims } } : {}) };
      ctx.out.result(result, () => `token\n${indent(fields(Object.entries(token)))}${claims ? `id_token claims\n${indent(fields(Object.entries(claims)))}` : ''}`);
    } finally {
      await callback.close();
    }
  },
};

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => (line ? `  ${line}` : line))
    .join('\n');
}

export const PERFORM_COMMANDS: readonly Command[] = [clientCredentials, authorizationCode];
