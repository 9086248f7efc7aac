import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import type { RunningSuite } from '#testing';

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json: Record<string, unknown>;
}

/** RFC 6749 §2.3.1: id and secret are form-url-encoded, then Basic-encoded. */
export function basicAuth(id: string, secret: string): string {
  const enc = (v: string) => encodeURIComponent(v).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${enc(id)}:${enc(secret)}`).toString('base64')}`;
}

/** RFC 6750 §2.1. */
export function bearer(token: string): string {
  return `Bearer ${token}`;
}

export async function call(suite: RunningSuite, path: string, init: RequestInit = {}): Promise<Reply> {
  return replyOf(await fetch(`${suite.baseUrl}${path}`, init));
}

/** A fetch response read whole: text, and JSON when it parses (else `{}`). */
export async function replyOf(res: Response): Promise<Reply> {
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    json = {};
  }
  return { status: res.status, headers: res.headers, text, json };
}

export function form(suite: RunningSuite, path: string, params: Record<string, string> | string, headers: Record<string, string> = {}): Promise<Reply> {
  const body = typeof params === 'string' ? params : new URLSearchParams(params).toString();
  return call(suite, path, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });
}

/** POST /token as a form (RFC 6749 §3.2). */
export function tokenRequest(suite: RunningSuite, params: Record<string, string> | string, headers: Record<string, string> = {}): Promise<Reply> {
  return form(suite, '/token', params, headers);
}

/** POST /introspect as a form (RFC 7662 §2.1). */
export function introspect(suite: RunningSuite, token: string, authorization?: string, extra: Record<string, string> = {}): Promise<Reply> {
  return form(suite, '/introspect', { token, ...extra }, authorization ? { authorization } : {});
}

/** POST /revoke as a form (RFC 7009 §2.1). */
export function revoke(suite: RunningSuite, token: string, authorization?: string, extra: Record<string, string> = {}): Promise<Reply> {
  return form(suite, '/revoke', { token, ...extra }, authorization ? { authorization } : {});
}

/** POST /register with a JSON (or raw) body (RFC 7591 §3.1), anonymously (trust tiers: privileges wait for approval). */
export function postRegistration(suite: RunningSuite, body: unknown, contentType = 'application/json', headers: Record<string, string> = {}): Promise<Reply> {
  return call(suite, '/register', { method: 'POST', headers: { 'content-type': contentType, ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

/** The run's initial access token (RFC 7591 §3), which vouches for every privilege (the harness configures it). */
export function initialAccessToken(suite: RunningSuite): string {
  const token = suite.env.REGISTRATION_INITIAL_ACCESS_TOKEN;
  if (!token) throw new Error('this suite has no REGISTRATION_INITIAL_ACCESS_TOKEN');
  return token;
}

/** Asserts an RFC 6749 §5.2 shaped error: exact status, exact `error`, JSON body. */
/**
 * The seed's Bulk Client registration ("Manually Creating a 3rd party
 * endpoint"): a backend service with private_key_jwt and `system/*.rs`, its
 * keys given by `jwks_uri` (the seed's) or inline.
 */
export function seedBulkClient(clientId: string, keys: { jwks: unknown } | { jwks_uri: string } = { jwks_uri: 'https://inferno.healthit.gov/.well-known/jwks.json' }): Record<string, unknown> {
  return {
    client_id: clientId,
    token_endpoint_auth_method: 'private_key_jwt',
    grant_types: ['client_credentials'],
    client_name: 'Drummond Inferno Bulk Data Client',
    client_uri: 'https://inferno.healthit.gov/suites',
    scope: 'system/*.rs',
    ...keys,
  };
}

/** Asks `check` until `done` holds (6 s at most): for what arrives asynchronously, such as client events reaching the token and introspection caches. */
export async function eventually(check: () => Promise<Reply>, done: (r: Reply) => boolean, what: string): Promise<Reply> {
  let last: Reply | undefined;
  for (let i = 0; i < 60; i++) {
    last = await check();
    if (done(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`never happened: ${what}; last ${last?.status} ${last?.text}`);
}

export function assertOAuthError(reply: Reply, status: number, error: string, what = ''): void {
  const context = `${what ? `${what}: ` : ''}${reply.status} ${reply.text.slice(0, 300)}`;
  assert.equal(reply.status, status, context);
  assert.match(reply.headers.get('content-type') ?? '', /^application\/json/, context);
  assert.equal(reply.json.error, error, context);
}

export interface RegisteredClient {
  client_id: string;
  client_secret?: string;
  registration_access_token: string;
  registration_client_uri: string;
  [key: string]: unknown;
}

/**
 * Registers a client as a trusted registrar would: with the run's initial
 * access token, so privileges it asks for (system scopes, introspect, launch,
 * jwt-bearer) are usable at once. {@link registerAnonymously} is the other tier.
 */
export async function register(suite: RunningSuite, metadata: Record<string, unknown>): Promise<RegisteredClient> {
  const reply = await postRegistration(suite, metadata, 'application/json', { authorization: bearer(initialAccessToken(suite)) });
  if (reply.status !== 201) throw new Error(`registration failed: ${reply.status} ${reply.text}`);
  return reply.json as RegisteredClient;
}

/** Registers a client with nobody vouching for it: its privileges wait for an administrator (`privileges_pending`). */
export async function registerAnonymously(suite: RunningSuite, metadata: Record<string, unknown>): Promise<RegisteredClient> {
  const reply = await postRegistration(suite, metadata);
  if (reply.status !== 201) throw new Error(`registration failed: ${reply.status} ${reply.text}`);
  return reply.json as RegisteredClient;
}

/** Name used by the e2e brief. */
export const registerClient = register;

/** A confidential machine client (client_secret_basic, client_credentials). */
export function machineClient(suite: RunningSuite, scope = 'system/Patient.rs system/Observation.rs', extra: Record<string, unknown> = {}): Promise<RegisteredClient> {
  return register(suite, { client_name: 'Machine', grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic', scope, ...extra });
}

export async function tokenFor(suite: RunningSuite, client: RegisteredClient, scope?: string): Promise<string> {
  const reply = await tokenRequest(suite, { grant_type: 'client_credentials', ...(scope ? { scope } : {}) }, { authorization: basicAuth(client.client_id, client.client_secret!) });
  if (reply.status !== 200) throw new Error(`token failed: ${reply.status} ${reply.text}`);
  return reply.json.access_token as string;
}

/** openid-client configuration from the suite's discovery document (the test issuer is plain http). */
export function oidcConfig(suite: RunningSuite, clientId: string, auth: oidc.ClientAuth): Promise<oidc.Configuration> {
  return oidc.discovery(new URL(suite.issuer), clientId, undefined, auth, { execute: [oidc.allowInsecureRequests] });
}

/** Management calls of RFC 7592 §2 on a client's registration_client_uri path. */
export function manage(suite: RunningSuite, clientId: string, method: 'GET' | 'PUT' | 'DELETE', rat: string, body?: unknown): Promise<Reply> {
  return call(suite, `/register/${encodeURIComponent(clientId)}`, {
    method,
    headers: { authorization: bearer(rat), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/** RFC 7662 §2.2: an active token's introspection answer. */
export async function assertActive(pending: Reply | Promise<Reply>, what = ''): Promise<Reply> {
  const reply = await pending;
  assert.equal(reply.status, 200, `${what} ${reply.status} ${reply.text}`);
  assert.equal(reply.json.active, true, `${what} expected active: ${reply.text}`);
  return reply;
}

/** RFC 7662 §2.2: exactly `{"active":false}`, nothing else. */
export async function assertInactive(pending: Reply | Promise<Reply>, what = ''): Promise<void> {
  const reply = await pending;
  assert.equal(reply.status, 200, `${what} ${reply.status} ${reply.text}`);
  assert.match(reply.headers.get('content-type') ?? '', /^application\/json/);
  assert.deepEqual(JSON.parse(reply.text), { active: false }, `${what} expected exactly {"active":false}: ${reply.text}`);
}
