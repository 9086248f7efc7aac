import type { ClientRecord } from '#contracts';
import { dpopJktOf } from './dpop-jkt.rule.js';
import { hasForbiddenCharacters, InvalidRequest, InvalidScope, isPersonGrantable, negotiateScopes, OAuthError, ScopeSet, UnauthorizedClient, UnsupportedResponseType, type RequestParams } from '#oauth';
import { checkUdapState } from './udap-state.rule.js';

/** A validated authorization request (RFC 6749 §4.1.1, RFC 7636, SMART App Launch 2.x), as kept with the interaction. */
export interface AuthorizationRequest {
  clientId: string;
  redirectUri: string;
  /** RFC 6749 §4.1.3: the token request must then repeat it. */
  redirectUriSent: boolean;
  /** What may be granted: the request narrowed to the client's registered scopes, in request order. */
  scope: string;
  state?: string;
  nonce?: string;
  codeChallenge: string;
  /** RFC 9449 §10: the code is bound to the DPoP key with this thumbprint. */
  dpopJkt?: string;
  prompt?: 'none' | 'login' | 'consent';
  /** OIDC `max_age` in seconds. */
  maxAge?: number;
  /** The raw `launch` parameter (EHR launch); resolved once, at /authorize. */
  launch?: string;
  /**
   * A request that failed its checks after the client and redirect URI were
   * verified, made by a browser nobody is signed in on: the error goes to the
   * redirect URI only once the person has signed in (RFC 9700 §4.11.2, BCP-02),
   * so an unauthenticated visitor cannot be bounced off this server to any
   * registered URI. Such a request grants nothing.
   */
  error?: { error: string; description?: string };
}

/** A client and redirect URI known good: from here on, errors go back to that URI (RFC 6749 §4.1.2.1). */
export interface VerifiedRedirect {
  client: ClientRecord;
  redirectUri: string;
  /** Whether the request named it (RFC 6749 §4.1.3: the token request must then repeat it). */
  sent: boolean;
}

/** RFC 6749 §4.1.2.1: an error found before the client and redirect URI are verified is never redirected. */
function shownOnPage(error: string, description: string): OAuthError {
  return new OAuthError(error, 400, description, { redirectable: false });
}

const PKCE_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
const MAX_STATE = 2048;
const MAX_NONCE = 512;
const MAX_LAUNCH = 8192;

/**
 * Step 1 (RFC 6749 §4.1.2.1): the client and the redirect URI. Until both are
 * verified, nothing may be sent to the redirect URI.
 */
export function verifyClientAndRedirect(params: RequestParams, client: ClientRecord | null): VerifiedRedirect {
  for (const name of ['client_id', 'redirect_uri']) {
    if (params.repeated.includes(name)) throw shownOnPage('invalid_request', `the ${name} parameter is repeated`);
  }
  const clientId = params.get('client_id');
  if (!clientId) throw shownOnPage('invalid_request', 'client_id is required');
  // A client id with a control character is never looked up (issue #14), so it is not registered here.
  if (!client) throw shownOnPage('invalid_client', 'this application is not registered here');
  // Issue #14: it cannot be a registered one; said plainly rather than "not registered".
  if (hasForbiddenCharacters(params.get('redirect_uri') ?? '')) throw shownOnPage('invalid_request', 'redirect_uri contains a control character');
  const chosen = chooseRedirectUri(client.metadata.redirect_uris ?? [], params.get('redirect_uri'));
  if (chosen === 'required') throw shownOnPage('invalid_request', 'redirect_uri is required');
  if (chosen === 'unregistered') throw shownOnPage('invalid_request', 'redirect_uri is not registered for this application');
  return { client, ...chosen };
}

/**
 * The redirect URI a request uses among the client's registered ones, or why there is none: `required` when it
 * names none and several are registered (RFC 6749 §3.1.2.3), `unregistered` when it names one that does not match
 * (RFC 9700 §4.1.3: exact string matching, except the port of a loopback redirect URI, RFC 8252 §7.3).
 */
export function chooseRedirectUri(registered: readonly string[], given: string | undefined): { redirectUri: string; sent: boolean } | 'required' | 'unregistered' {
  if (given === undefined) return registered.length === 1 ? { redirectUri: registered[0]!, sent: false } : 'required';
  if (!registered.includes(given) && !registered.some((r) => sameLoopbackExceptPort(r, given))) return 'unregistered';
  return { redirectUri: given, sent: true };
}

const LOOPBACK = /^http:\/\/(127\.0\.0\.1|\[::1\]|localhost)(?::(\d{1,5}))?([/?].*)?$/i;

/**
 * RFC 8252 §7.3: a native app listening on a loopback interface gets an
 * ephemeral port, so any port matches a registered loopback redirect URI;
 * everything else (host, path, query) must be identical.
 */
export function sameLoopbackExceptPort(registered: string, given: string): boolean {
  const r = LOOPBACK.exec(registered);
  const g = LOOPBACK.exec(given);
  if (!r || !g) return false;
  const port = g[2] === undefined ? 80 : Number(g[2]);
  return r[1]!.toLowerCase() === g[1]!.toLowerCase() && (r[3] ?? '') === (g[3] ?? '') && port >= 1 && port <= 65535;
}

/**
 * Step 2: everything else; failures are redirectable. `fhirBaseUrl` is the
 * only acceptable `aud` (SMART App Launch 2.x: no token for a wrong audience).
 */
export function validateAuthorizationRequest(params: RequestParams, verified: VerifiedRedirect, fhirBaseUrl: string): AuthorizationRequest {
  const { client, redirectUri } = verified;
  const state = params.get('state');
  const fail = (error: OAuthError): never => {
    throw error;
  };
  // Issue #14: RFC 6749 Appendix A: no parameter carries a control character; nothing of such a request is stored.
  const unprintable = params.names().find((name) => hasForbiddenCharacters(name) || hasForbiddenCharacters(params.get(name) ?? ''));
  if (unprintable !== undefined) fail(new InvalidRequest(/^[A-Za-z0-9_.-]{1,64}$/.test(unprintable) ? `the ${unprintable} parameter contains a control character` : 'a parameter name contains a control character'));
  if (params.repeated.length > 0) fail(new InvalidRequest(`the ${params.repeated[0]!.slice(0, 64)} parameter is repeated`));
  if (state !== undefined && state.length > MAX_STATE) fail(new InvalidRequest('state is too long'));
  checkUdapState(client, state);
  // OIDC Core §6: request objects are not supported here (discovery says so), and an OP that does not support them MUST say so.
  if (params.get('request') !== undefined) fail(new OAuthError('request_not_supported', 400, 'request objects are not supported; send the parameters as they are', { redirectable: true }));
  if (params.get('request_uri') !== undefined) fail(new OAuthError('request_uri_not_supported', 400, 'request_uri is not supported; send the parameters as they are', { redirectable: true }));

  const responseType = params.get('response_type');
  if (!responseType) fail(new InvalidRequest('response_type is required'));
  // RFC 9700 §2.1.2: only the code flow; implicit and hybrid are refused.
  if (responseType !== 'code') fail(new UnsupportedResponseType('only response_type=code is supported'));
  if (!client.metadata.grant_types.includes('authorization_code')) fail(new UnauthorizedClient('this client is not registered for the authorization code flow'));

  // RFC 7636, RFC 9700 §2.1.1: PKCE with S256 for every client.
  const challenge = params.get('code_challenge');
  const method = params.get('code_challenge_method');
  if (!challenge) fail(new InvalidRequest('code_challenge is required (PKCE with S256)'));
  if (method !== 'S256') fail(new InvalidRequest(method === undefined || method === 'plain' ? 'code_challenge_method must be S256 (plain is not accepted)' : 'unsupported code_challenge_method'));
  if (!PKCE_CHALLENGE.test(challenge!)) fail(new InvalidRequest('code_challenge must be the base64url SHA-256 of the verifier (43 characters)'));

  // SMART App Launch 2.x: `aud` names the FHIR server the token is for.
  const aud = params.get('aud');
  if (!aud) fail(new InvalidRequest('aud is required: the FHIR base URL'));
  if (normaliseUrl(aud!) !== normaliseUrl(fhirBaseUrl)) fail(new InvalidRequest('aud is not a FHIR server this authorization server issues tokens for'));

  let requested: ScopeSet;
  try {
    requested = ScopeSet.parse(params.get('scope'));
  } catch (err: unknown) {
    return fail(err instanceof OAuthError ? err : new InvalidScope('malformed scope'));
  }
  if (requested.isEmpty()) fail(new InvalidScope('scope is required'));
  // A person grants only what is theirs to grant: `system/…`, `introspect` and `admin` reach beyond them (trust
  // tiers, client-privileges.ts), so they are never granted here. `launch` is the app's half of an EHR launch.
  const granted = negotiateScopes(requested, ScopeSet.parse(client.metadata.scope).filter(isPersonGrantable)).granted;
  if (granted.isEmpty()) fail(new InvalidScope('none of the requested scopes is registered for this application'));

  let dpopJkt: string | undefined;
  try {
    dpopJkt = dpopJktOf(params.get('dpop_jkt'));
  } catch (err: unknown) {
    fail(err as OAuthError);
  }
  const nonce = params.get('nonce');
  if (nonce !== undefined && nonce.length > MAX_NONCE) fail(new InvalidRequest('nonce is too long'));
  const launch = params.get('launch');
  if (launch !== undefined && launch.length > MAX_LAUNCH) fail(new InvalidRequest('launch is too long'));
  if (launch !== undefined && !granted.has('launch')) fail(new InvalidScope('an EHR launch needs the launch scope'));
  if (launch === undefined && granted.has('launch')) fail(new InvalidRequest('the launch scope needs the launch parameter given by the EHR'));

  const promptParam = params.get('prompt');
  let prompt: AuthorizationRequest['prompt'];
  if (promptParam !== undefined) {
    const values = promptParam.split(' ');
    if (values.includes('none') && values.length > 1) fail(new InvalidRequest('prompt=none cannot be combined'));
    if (values.includes('select_account')) fail(new OAuthError('account_selection_required', 400, 'account selection is not supported', { redirectable: true }));
    prompt = values.includes('none') ? 'none' : values.includes('login') ? 'login' : values.includes('consent') ? 'consent' : undefined;
    if (values.some((v) => !['none', 'login', 'consent'].includes(v))) fail(new InvalidRequest('unknown prompt value'));
  }
  const maxAgeParam = params.get('max_age');
  let maxAge: number | undefined;
  if (maxAgeParam !== undefined) {
    if (!/^\d{1,9}$/.test(maxAgeParam)) fail(new InvalidRequest('max_age must be a number of seconds'));
    maxAge = Number(maxAgeParam);
  }

  return {
    clientId: client.client_id,
    redirectUri,
    redirectUriSent: verified.sent,
    scope: granted.toString(),
    codeChallenge: challenge!,
    ...(state !== undefined ? { state } : {}),
    ...(nonce !== undefined ? { nonce } : {}),
    ...(dpopJkt !== undefined ? { dpopJkt } : {}),
    ...(prompt ? { prompt } : {}),
    ...(maxAge !== undefined ? { maxAge } : {}),
    ...(launch !== undefined ? { launch } : {}),
  };
}

/** The `state` to send back with an error: none when it is too long or carries a control character (issue #14). */
export function echoableState(params: RequestParams): string | undefined {
  const state = params.get('state');
  return state !== undefined && state.length <= MAX_STATE && !hasForbiddenCharacters(state) ? state : undefined;
}

/**
 * A request that failed after its client and redirect URI were verified, as an interaction that only signs the
 * person in and then sends `error` back (RFC 9700 §4.11.2); it grants nothing.
 */
export function deferredRequest(verified: VerifiedRedirect, error: OAuthError, state: string | undefined): AuthorizationRequest {
  return {
    clientId: verified.client.client_id,
    redirectUri: verified.redirectUri,
    redirectUriSent: verified.sent,
    scope: '',
    codeChallenge: '',
    ...(state !== undefined ? { state } : {}),
    error: { error: error.error, ...(error.description ? { description: error.description } : {}) },
  };
}

function normaliseUrl(url: string): string {
  return url.replace(/\/+$/, '');
}
