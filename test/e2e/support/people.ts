import { randomBytes } from 'node:crypto';
import type { RunningSuite } from '#testing';
import { basicAuth, call, tokenRequest } from './http.js';

export interface TestUser {
  id: string;
  username: string;
  password: string;
  display_name: string;
  fhirUser: string;
}

/** A bearer token of the suite's bootstrap admin client (scope `admin`). */
export async function adminToken(suite: RunningSuite): Promise<string> {
  const reply = await tokenRequest(suite, { grant_type: 'client_credentials', scope: 'admin' }, { authorization: basicAuth(suite.adminClientId, suite.adminClientSecret) });
  if (reply.status !== 200) throw new Error(`admin token: ${reply.status} ${reply.text}`);
  return reply.json.access_token as string;
}

/** Creates a user through the admin API (POST /admin/users). */
export async function createUser(
  suite: RunningSuite,
  token: string,
  input: { fhirUser: string; display_name?: string; patients?: Array<{ id: string; name: string; birthDate?: string }> },
): Promise<TestUser> {
  const username = `u-${randomBytes(5).toString('hex')}`;
  const password = `pw-${randomBytes(9).toString('base64url')}`;
  const body = { username, password, display_name: input.display_name ?? `Test ${username}`, fhirUser: input.fhirUser, ...(input.patients ? { patients: input.patients } : {}) };
  const reply = await call(suite, '/admin/users', { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (reply.status !== 201) throw new Error(`create user: ${reply.status} ${reply.text}`);
  return { id: reply.json.id as string, username, password, display_name: body.display_name, fhirUser: input.fhirUser };
}
