import { FHIR_USER } from '../users/user.dto.js';

/**
 * The local relative reference (`Patient/123`) an upstream `fhirUser` value
 * names: either that reference itself, or an absolute URL ending in it
 * (SMART App Launch 2.x: `fhirUser` is an absolute or relative URL).
 * undefined when the value is neither.
 */
export function localFhirReference(value: string): string | undefined {
  if (FHIR_USER.test(value)) return value;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.search || url.hash) return undefined;
  const segments = url.pathname.split('/');
  const reference = segments.slice(-2).join('/');
  return segments.length >= 3 && FHIR_USER.test(reference) ? reference : undefined;
}

/** The identifying claim of a set of claims, when it is a usable string. */
export function claimValue(claims: Record<string, unknown> | undefined, name: string): string | undefined {
  const value = claims?.[name];
  return typeof value === 'string' && value.length > 0 && value.length <= 1024 ? value : undefined;
}

/**
 * The error sent to the client for an upstream authorization error
 * (OIDC Core §3.1.2.6, RFC 6749 §4.1.2.1). The upstream's own description is
 * never passed on: it describes a request the client did not make.
 */
export function clientErrorFor(upstreamError: string): { error: string; description: string } {
  switch (upstreamError) {
    case 'access_denied':
      return { error: 'access_denied', description: 'the sign-in was refused at the identity provider' };
    case 'login_required':
    case 'interaction_required':
    case 'consent_required':
    case 'account_selection_required':
      return { error: upstreamError, description: 'the identity provider needs the user to interact' };
    case 'temporarily_unavailable':
      return { error: 'temporarily_unavailable', description: 'the identity provider is temporarily unavailable' };
    default:
      return { error: 'server_error', description: 'the identity provider could not sign the user in' };
  }
}
