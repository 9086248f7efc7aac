import * as oidc from 'openid-client';
import { CommandFailure } from './command-failure.js';
import { oauthErrorOf } from './failure-of.js';
import type { Settings } from './settings.js';
import { UsageError } from './usage-error.js';

/** How long one HTTP call to the suite may take. */
const REQUEST_TIMEOUT_MS = 30_000;

const CREDENTIAL_FLAGS = '--client-id and --client-secret (or SMART_AUTH_CLIENT_ID with SMART_AUTH_CLIENT_SECRET or SMART_AUTH_CLIENT_SECRET_FILE)';

/** Whose credentials a command needs, said when they are missing. */
export const CREDENTIALS_NEEDED = {
  admin: `this command needs the admin client: ${CREDENTIAL_FLAGS}`,
  /** RFC 7009 §2.1: only the client a token was issued to may revoke it. */
  tokenOwner: `this command needs the credentials of the client the token was issued to (RFC 7009 §2.1): ${CREDENTIAL_FLAGS}`,
  introspector: `this command needs a client allowed to introspect (the admin client sees every token): ${CREDENTIAL_FLAGS}`,
} as const;

export interface ApiCall {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  query?: Record<string, string | undefined>;
  /** Sent as JSON. */
  body?: unknown;
}

/**
 * The suite as its public HTTP API shows it, from the issuer URL: discovery
 * (openid-client reads /.well-known/openid-configuration), client
 * configurations for the OAuth calls, an `admin` token from the admin
 * client's credentials (client_credentials), and the admin endpoints.
 */
export class Deployment {
  private adminToken?: Promise<string>;

  constructor(readonly settings: Settings) {}

  get issuer(): string {
    return this.settings.issuer;
  }

  /** openid-client's view of the server for one client (plain http allowed: development and tests). */
  configuration(clientId: string, auth: oidc.ClientAuth): Promise<oidc.Configuration> {
    const insecure = this.issuer.startsWith('http:');
    return oidc.discovery(new URL(this.issuer), clientId, undefined, auth, {
      ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}),
      timeout: REQUEST_TIMEOUT_MS / 1000,
    });
  }

  /** The discovery document (RFC 8414 / OIDC Discovery), as openid-client read it. */
  async serverMetadata(): Promise<oidc.ServerMetadata> {
    return (await this.configuration('smart-auth', oidc.None())).serverMetadata();
  }

  /** The configured client with its secret (client_secret_basic), for introspection, revocation and the admin token; `needed` says whose when they are missing. */
  credentialedConfiguration(needed: string = CREDENTIALS_NEEDED.admin): Promise<oidc.Configuration> {
    const { clientId, clientSecret } = this.settings;
    if (!clientId || !clientSecret) throw new UsageError(needed);
    return this.configuration(clientId, oidc.ClientSecretBasic(clientSecret));
  }

  /** An access token with the `admin` scope (client_credentials), fetched once per run. */
  admin(): Promise<string> {
    this.adminToken ??= (async () => {
      const config = await this.credentialedConfiguration();
      const tokens = await oidc.clientCredentialsGrant(config, { scope: 'admin' });
      if (!tokens.scope?.split(' ').includes('admin')) {
        throw new CommandFailure('insufficient_scope', `client ${this.settings.clientId} was not granted the admin scope`);
      }
      return tokens.access_token;
    })();
    return this.adminToken;
  }

  /** An admin endpoint with the admin token; its JSON answer, or undefined for 204. Error answers become a CommandFailure. */
  async api<T>(path: string, call: ApiCall = {}): Promise<T> {
    const url = new URL(`${this.issuer}${path}`);
    for (const [name, value] of Object.entries(call.query ?? {})) if (value !== undefined) url.searchParams.set(name, value);
    return this.request<T>(url.href, { ...call, bearer: await this.admin() });
  }

  /** A JSON call to a URL of the suite (the registration endpoint, a registration_client_uri) with an optional bearer token. */
  async request<T>(url: string, call: ApiCall & { bearer?: string } = {}): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (call.bearer) headers.authorization = `Bearer ${call.bearer}`;
    if (call.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(url, {
      method: call.method ?? 'GET',
      headers,
      ...(call.body !== undefined ? { body: JSON.stringify(call.body) } : {}),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    return (await answerOf(res)) as T;
  }
}

/** A JSON answer, undefined for 204, a CommandFailure with the OAuth error for anything else. */
async function answerOf(res: Response): Promise<unknown> {
  if (res.status === 204) return undefined;
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (res.ok && body !== undefined) return body;
  const error = oauthErrorOf(body);
  if (error) throw new CommandFailure(error.error, error.error_description, res.status);
  throw new CommandFailure('unexpected_response', `${res.status} ${res.statusText}${res.ok ? ' (not JSON)' : ''}`, res.status);
}
