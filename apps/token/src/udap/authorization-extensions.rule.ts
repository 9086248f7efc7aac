import type { TokenAuthorizationExtensions } from '#contracts';
import type { AuthorizationExtensionPolicy } from '#nest';
import { InvalidGrant } from '#oauth';
import { ExtensionInvalid } from './extension-members.js';
import { readHl7B2b, type ReadExtension } from './hl7-b2b.extension.js';
import { readTefcaIas, readTefcaSmart } from './tefca.extensions.js';

/** The longest `extensions` claim an access token carries: tokens stay within the 8192 characters introspection reads. */
export const MAX_CARRIED_EXTENSIONS_BYTES = 4096;

const READERS: Record<string, (object: Record<string, unknown>) => ReadExtension> = {
  'hl7-b2b': readHl7B2b,
  'tefca-ias': readTefcaIas,
  tefca_smart: readTefcaSmart,
};

/** The extension objects an access token carries (its `extensions` claim) and their summary for `token.issued`. */
export interface AuthorizationContext {
  claim: Record<string, Record<string, unknown>>;
  summary: TokenAuthorizationExtensions;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The Authorization Extension Objects of a UDAP client credentials request
 * (UDAP Security 2.0 §5.2.1, §2.2): every extension the server requires
 * (`udap_authorization_extensions_required`) must be in the Authentication
 * Token's `extensions` (otherwise `invalid_grant` with `extensions_required`,
 * UDAP JWT-Based Client Authentication §7), and every one it supports that is
 * there must hold (`invalid_grant` naming the rule); unrecognized ones are
 * ignored (§5.2.1: the server MAY ignore unrecognized claims). Pure.
 *
 * @returns what the token carries, or undefined when no supported extension was given
 * @throws InvalidGrant
 */
export function authorizationContextOf(extensions: unknown, policy: AuthorizationExtensionPolicy): AuthorizationContext | undefined {
  if (extensions !== undefined && !isObject(extensions)) throw new InvalidGrant('extensions must be a JSON object of Authorization Extension Objects');
  const given = extensions ?? {};
  const missing = policy.required.filter((key) => given[key] === undefined);
  if (missing.length > 0) {
    throw new InvalidGrant(`the Authentication Token must carry the ${missing.join(', ')} authorization extension object${missing.length > 1 ? 's' : ''} in its extensions claim (udap_authorization_extensions_required)`, {
      members: { extensions_required: policy.required },
    });
  }
  const claim: Record<string, Record<string, unknown>> = {};
  const summaries: ReadExtension['summary'][] = [];
  for (const key of policy.supported) {
    const object = given[key];
    const reader = READERS[key];
    if (object === undefined || !reader) continue;
    if (!isObject(object)) throw new InvalidGrant(`extensions.${key} must be a JSON object`);
    try {
      const read = reader(object);
      claim[key] = read.carried;
      summaries.push(read.summary);
    } catch (err: unknown) {
      if (err instanceof ExtensionInvalid) throw new InvalidGrant(`extensions: ${err.message}`);
      throw err;
    }
  }
  if (summaries.length === 0) return undefined;
  if (Buffer.byteLength(JSON.stringify(claim)) > MAX_CARRIED_EXTENSIONS_BYTES) {
    throw new InvalidGrant(`the authorization extension objects are too large to carry in an access token (at most ${MAX_CARRIED_EXTENSIONS_BYTES} bytes of JSON)`);
  }
  return { claim, summary: summarise(Object.keys(claim), summaries) };
}

/** One summary of several extensions: every purpose of use; the requestor as the first extension naming it says. */
function summarise(keys: string[], summaries: ReadExtension['summary'][]): TokenAuthorizationExtensions {
  const summary: TokenAuthorizationExtensions = { extensions: keys, purpose_of_use: [...new Set(summaries.flatMap((s) => s.purpose_of_use))] };
  for (const field of ['organization_id', 'organization_name', 'subject_name', 'subject_id', 'subject_role'] as const) {
    const value = summaries.find((s) => s[field] !== undefined)?.[field];
    if (value !== undefined) summary[field] = value;
  }
  return summary;
}
