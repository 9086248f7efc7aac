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

export async function call(suite: RunningSuite, path: string, init: RequestInit = {}): Promise<Reply> {
  const res = await fetch(`${suite.baseUrl}${path}`, init);
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

export interface RegisteredClient {
  client_id: string;
  client_secret?: string;
  registration_access_token: string;
  registration_client_uri: string;
  [key: string]: unknown;
}

export async function register(suite: RunningSuite, metadata: Record<string, unknown>): Promise<RegisteredClient> {
  const reply = await call(suite, '/register', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(metadata) });
  if (reply.status !== 201) throw new Error(`registration failed: ${reply.status} ${reply.text}`);
  return reply.json as RegisteredClient;
}

/** A confidential machine client (client_secret_basic, client_credentials). */
export function machineClient(suite: RunningSuite, scope = 'system/Patient.rs system/Observation.rs', extra: Record<string, unknown> = {}): Promise<RegisteredClient> {
  return register(suite, { client_name: 'Machine', grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic', scope, ...extra });
}

export async function tokenFor(suite: RunningSuite, client: RegisteredClient, scope?: string): Promise<string> {
  const reply = await form(suite, '/token', { grant_type: 'client_credentials', ...(scope ? { scope } : {}) }, { authorization: basicAuth(client.client_id, client.client_secret!) });
  if (reply.status !== 200) throw new Error(`token failed: ${reply.status} ${reply.text}`);
  return reply.json.access_token as string;
}
