import type { ClientRecord } from '#contracts';
import { InvalidRedirectUri, InvalidRequest, type RequestParams } from '#oauth';
import { chooseRedirectUri, type VerifiedRedirect } from '../flow/authorization-request.js';

/**
 * What a push is checked for before the authorization request's own checks (`validateAuthorizationRequest`), with
 * errors as JSON, never a redirect (RFC 9126 §2.3):
 * - RFC 9126 §2.1: `request_uri` MUST NOT be pushed;
 * - the redirect URI as at `/authorize` (RFC 6749 §3.1.2.3, RFC 9700 §4.1.3): a missing one where several are
 *   registered is `invalid_request` (RFC 9126 §2.3's default), one not registered `invalid_redirect_uri` (the
 *   code node-oidc-provider answers; RFC 9126 §2.3 allows an extension's code).
 */
export function verifyPushedRedirect(params: RequestParams, client: ClientRecord): VerifiedRedirect {
  if (params.get('request_uri') !== undefined || params.repeated.includes('request_uri')) {
    throw new InvalidRequest('request_uri must not be sent to the pushed authorization request endpoint (RFC 9126 §2.1)');
  }
  if (params.repeated.includes('redirect_uri')) throw new InvalidRequest('the redirect_uri parameter is repeated');
  const chosen = chooseRedirectUri(client.metadata.redirect_uris ?? [], params.get('redirect_uri'));
  if (chosen === 'required') throw new InvalidRequest('redirect_uri is required');
  if (chosen === 'unregistered') throw new InvalidRedirectUri('redirect_uri is not registered for this application');
  return { client, ...chosen };
}
