import assert from 'node:assert/strict';
import * as oauth from 'oauth4webapi';
import type { RunningSuite } from '#testing';
import type { Reply } from './http.js';

/** The test issuer is plain http on loopback. */
export const INSECURE = { [oauth.allowInsecureRequests]: true } as const;

/** The suite's metadata as oauth4webapi reads it (OpenID discovery, issuer checked). */
export async function authorizationServer(suite: RunningSuite): Promise<oauth.AuthorizationServer> {
  const issuer = new URL(suite.issuer);
  return oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, INSECURE));
}

/** A pushed request and what the client keeps to finish its flow. */
export interface PushedFlow {
  requestUri: string;
  expiresIn: number;
  verifier: string;
  state: string;
  nonce: string;
  /** `/authorize?client_id=…&request_uri=…` (RFC 9126 §4). */
  authorizeUrl: URL;
}

/**
 * Pushes an authorization request with oauth4webapi (PKCE S256, state, nonce added) and checks the answer is
 * RFC 9126 §2.2's: 201, JSON, `Cache-Control: no-store`.
 */
export async function push(as: oauth.AuthorizationServer, client: oauth.Client, auth: oauth.ClientAuth, params: Record<string, string>): Promise<PushedFlow> {
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  const body = { response_type: 'code', code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state, nonce, ...params };
  const response = await oauth.pushedAuthorizationRequest(as, client, auth, body, INSECURE);
  assert.equal(response.status, 201);
  assert.equal(response.headers.get('cache-control'), 'no-store');
  const pushed = await oauth.processPushedAuthorizationResponse(as, client, response);
  const authorizeUrl = new URL(as.authorization_endpoint!);
  authorizeUrl.searchParams.set('client_id', client.client_id);
  authorizeUrl.searchParams.set('request_uri', pushed.request_uri);
  return { requestUri: pushed.request_uri, expiresIn: pushed.expires_in, verifier, state, nonce, authorizeUrl };
}

/** Redeems the code the browser brought back, with oauth4webapi (state, `iss`, PKCE, nonce and the ID token checked). */
export async function redeem(as: oauth.AuthorizationServer, client: oauth.Client, auth: oauth.ClientAuth, flow: PushedFlow, callback: URL, redirectUri: string): Promise<oauth.TokenEndpointResponse> {
  const params = oauth.validateAuthResponse(as, client, callback, flow.state);
  const response = await oauth.authorizationCodeGrantRequest(as, client, auth, params, redirectUri, flow.verifier, INSECURE);
  return oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: flow.nonce, requireIdToken: true });
}

/** An error page, never a redirect (nothing may be sent to a redirect URI nobody vouched for). */
export function assertErrorPage(reply: Reply, status: number, code: string, what = ''): void {
  const context = `${what}: ${reply.status} ${reply.headers.get('location') ?? ''} ${reply.text.slice(0, 300)}`;
  assert.equal(reply.status, status, context);
  assert.match(reply.headers.get('content-type') ?? '', /^text\/html/, context);
  assert.equal(reply.headers.get('location'), null, context);
  assert.match(reply.text, new RegExp(`<code>${code}</code>`), context);
}

/** The first hop of /authorize that accepted a request: to its interaction's pages. */
export function assertAccepted(reply: Reply, what = ''): void {
  assert.equal(reply.status, 303, `${what}: ${reply.status} ${reply.text.slice(0, 300)}`);
  assert.match(reply.headers.get('location') ?? '', /^\/interaction\//, what);
}
